import type { Tenant } from "../domain/primitives.ts"
import { narrow, type TenantScope } from "../domain/tenant-scope.ts"

/** The caller's scope narrowed by a `?tenant=` filter; a tenant outside it matches nothing. */
export const readScope = (scope: TenantScope, tenant: Tenant | undefined): TenantScope | undefined => narrow(scope, tenant)
