import { Elysia } from "elysia"
import { allTenants, narrow, type TenantScope } from "../domain/tenant-scope.ts"
import type { Tenant } from "../domain/primitives.ts"

/**
 * The tenants a request may touch, as `scope` in every handler. Without credentials every
 * tenant is reachable; the user service's authentication narrows it to the credential's tenant.
 */
export const requestScope = () =>
  new Elysia({ name: "loyaltea-request-scope" }).resolve({ as: "global" }, () => ({ scope: allTenants as TenantScope }))

/** The scope narrowed by a `?tenant=` filter; a tenant outside it matches nothing. */
export const readScope = (scope: TenantScope, tenant: Tenant | undefined): TenantScope | undefined => narrow(scope, tenant)
