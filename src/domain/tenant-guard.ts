import { Effect } from "effect"
import { Forbidden } from "./errors.ts"
import { includes, type TenantScope } from "./tenant-scope.ts"

/** A write naming `tenant` is allowed only inside the caller's scope. */
export const requireTenant = (scope: TenantScope, tenant: string) =>
  includes(scope, tenant) ? Effect.void : Effect.fail(new Forbidden({ reason: `not allowed to act on tenant ${tenant}` }))
