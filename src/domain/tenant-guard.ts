import { Effect } from "effect"
import { Forbidden, InvalidInput } from "./errors.ts"
import type { Tenant } from "./primitives.ts"
import { includes, narrow, type TenantScope } from "./tenant-scope.ts"

/** A write naming `tenant` is allowed only inside the caller's scope. */
export const requireTenant = (scope: TenantScope, tenant: string) =>
  includes(scope, tenant) ? Effect.void : Effect.fail(new Forbidden({ reason: `not allowed to act on tenant ${tenant}` }))

/**
 * The one tenant a read of per-tenant data (a user's balance, a user's progress) is about: the
 * `?tenant=` asked for, inside the caller's scope, else the caller's own single tenant.
 */
export const tenantToRead = (scope: TenantScope, tenant: Tenant | undefined, whatIsPerTenant: string): Effect.Effect<string, InvalidInput> => {
  if (tenant !== undefined) return narrow(scope, tenant) ? Effect.succeed(tenant) : Effect.fail(new InvalidInput({ field: "tenant", reason: "not a tenant you can read" }))
  return scope._tag === "OneTenant" ? Effect.succeed(scope.tenant) : Effect.fail(new InvalidInput({ field: "tenant", reason: `required: ${whatIsPerTenant}` }))
}
