import { Effect } from "effect"
import type { Principal } from "../../auth/principal.ts"
import { Forbidden } from "../../domain/errors.ts"
import { allTenants, includes, oneTenant, type TenantScope } from "../../domain/tenant-scope.ts"

export type OperatorPrincipal = Extract<Principal, { kind: "operator" }>

/** Who acted, for logs: ids and names, never a credential. */
export const describePrincipal = (principal: Principal): string =>
  principal.kind === "operator" ? `operator ${principal.username} (${principal.operatorId})`
  : principal.kind === "api-key" ? `api key ${principal.keyId}`
  : `member ${principal.userId} of ${principal.tenant}`

/** Every refusal is logged with who asked for what, so abuse shows up in the logs. */
export const refuse = (principal: Principal, action: string, reason: string): Effect.Effect<never, Forbidden> =>
  Effect.logWarning("access refused").pipe(
    Effect.annotateLogs({ principal: describePrincipal(principal), action, reason }),
    Effect.andThen(Effect.fail(new Forbidden({ reason })))
  )

export const requireAdmin = (principal: Principal, action: string): Effect.Effect<OperatorPrincipal, Forbidden> =>
  principal.kind === "operator" && principal.role === "admin"
    ? Effect.succeed(principal)
    : refuse(principal, action, "only the platform admin may do this")

/** Changes: the platform admin anywhere, a tenant admin in its own tenant, nobody else. */
export const manageScope = (principal: Principal, action: string): Effect.Effect<TenantScope, Forbidden> => {
  if (principal.kind === "operator" && principal.role === "admin") return Effect.succeed(allTenants)
  if (principal.kind === "operator" && principal.role === "tenant-admin" && principal.tenant !== null) {
    return Effect.succeed(oneTenant(principal.tenant))
  }
  return refuse(principal, action, "only an admin of the tenant may do this")
}

/** Reads: every operator within its tenant (the platform admin everywhere); API keys only if allowed and scoped `read`. */
export const readScope = (principal: Principal, action: string, options: { apiKeys: boolean }): Effect.Effect<TenantScope, Forbidden> => {
  if (principal.kind === "operator") return Effect.succeed(principal.tenant === null ? allTenants : oneTenant(principal.tenant))
  if (options.apiKeys && principal.kind === "api-key" && principal.scopes.includes("read")) return Effect.succeed(oneTenant(principal.tenant))
  return refuse(principal, action, principal.kind === "member" ? "members may only read their own balance, ledger and progress" : "this API key may not read this")
}

/** A change naming a tenant outside the caller's scope is refused (and logged). */
export const requireTenantIn = (principal: Principal, scope: TenantScope, tenant: string, action: string): Effect.Effect<void, Forbidden> =>
  includes(scope, tenant) ? Effect.void : refuse(principal, action, `not allowed to act on tenant ${tenant}`)
