import type { Tenant } from "./primitives.ts"

/**
 * Which tenants' rows a request may see or change. Every repository query takes one, so no
 * query can forget the tenant boundary.
 */
export type TenantScope =
  | { readonly _tag: "AllTenants" }
  | { readonly _tag: "OneTenant"; readonly tenant: Tenant }

export const allTenants: TenantScope = { _tag: "AllTenants" }
export const oneTenant = (tenant: Tenant): TenantScope => ({ _tag: "OneTenant", tenant })

export const includes = (scope: TenantScope, tenant: string): boolean =>
  scope._tag === "AllTenants" || scope.tenant === tenant

/** Narrows a scope to `tenant` (a `?tenant=` filter); outside the scope it sees nothing. */
export const narrow = (scope: TenantScope, tenant: Tenant | undefined): TenantScope | undefined => {
  if (tenant === undefined) return scope
  return includes(scope, tenant) ? oneTenant(tenant) : undefined
}
