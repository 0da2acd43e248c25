import { allTenants, oneTenant, type TenantScope } from "../domain/tenant-scope.ts"
import type { Principal } from "./principal.ts"

/**
 * What a route requires, declared on every route (`access: "read"`): the authorization test walks
 * the OpenAPI document and fails for a route that declares none.
 *  - public:       no credential (health, docs, login)
 *  - read:         any operator of the tenant, or an API key with `read`
 *  - member:       as `read`, and a member token, on a route about that member's own `{userId}`
 *  - redeem:       as `write`, and a member token for its own `{userId}` (within the program's limits)
 *  - write:        a tenant admin of the tenant, or the platform admin
 *  - events:       a tenant admin, the platform admin, or an API key with `events:write`
 *  - member-token: a tenant admin, the platform admin, or an API key with `members:token`
 *  - any:          any valid credential (who am I)
 *  - operator:     any operator, whatever the role (their own session, their own account)
 *  - admin:        the platform admin only
 * A member token gets nothing but `public`, `any`, `member` and `redeem`.
 */
export const accessLevels = ["public", "any", "read", "member", "redeem", "write", "events", "member-token", "operator", "admin"] as const
export type Access = (typeof accessLevels)[number]

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string }

const allow: Decision = { allowed: true }
const deny = (reason: string): Decision => ({ allowed: false, reason })

/** The levels a member may reach, and then only for the `{userId}` in the path that is their own. */
export const memberLevels: ReadonlyArray<Access> = ["member", "redeem"]

export const decide = (access: Access, principal: Principal): Decision => {
  if (access === "public" || access === "any") return allow
  if (principal.kind === "member") {
    return memberLevels.includes(access) ? allow : deny("a member token reaches only the member's own balance, ledger, progress and redemptions")
  }
  if (principal.kind === "api-key") {
    if (access === "read" || access === "member") return principal.scopes.includes("read") ? allow : deny("this API key may not read")
    if (access === "events") return principal.scopes.includes("events:write") ? allow : deny("this API key may not send events")
    if (access === "member-token") return principal.scopes.includes("members:token") ? allow : deny("this API key may not mint member tokens")
    return deny("API keys may only read, send events or mint member tokens")
  }
  switch (access) {
    case "read":
    case "member":
    case "operator":
      return allow
    case "write":
    case "redeem":
    case "events":
    case "member-token":
      return principal.role === "tenant-viewer" ? deny("viewers may only read") : allow
    case "admin":
      return principal.role === "admin" ? allow : deny("only the platform admin may do this")
  }
}

/**
 * A member passes a member route only for the `{userId}` that is their own; anyone else's (or a
 * member route without one) is refused. Operators and API keys, and the other levels, are not concerned.
 */
export const decideForUser = (access: Access, principal: Principal, userId: string | undefined): Decision =>
  principal.kind !== "member" || !memberLevels.includes(access) || userId === principal.userId ? allow : deny("a member token reaches only the member's own data")

/** The tenants a principal reaches: every one for the platform admin, its own otherwise. */
export const scopeOf = (principal: Principal): TenantScope =>
  principal.kind === "operator" && principal.role === "admin" ? allTenants : oneTenant(principal.tenant!)
