import { allTenants, oneTenant, type TenantScope } from "../domain/tenant-scope.ts"
import type { Principal } from "./principal.ts"

/**
 * What a route requires, declared on every route (`access: "read"`): the authorization test walks
 * the OpenAPI document and fails for a route that declares none.
 *  - public:   no credential (health, docs, login)
 *  - read:     any operator of the tenant, or an API key with `read`
 *  - write:    a tenant admin of the tenant, or the platform admin
 *  - events:   a tenant admin, the platform admin, or an API key with `events:write`
 *  - any:      any valid credential (who am I)
 *  - operator: any operator, whatever the role (their own session, their own account)
 *  - admin:    the platform admin only
 */
export const accessLevels = ["public", "any", "read", "write", "events", "operator", "admin"] as const
export type Access = (typeof accessLevels)[number]

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string }

const allow: Decision = { allowed: true }
const deny = (reason: string): Decision => ({ allowed: false, reason })

export const decide = (access: Access, principal: Principal): Decision => {
  if (access === "public" || access === "any") return allow
  if (principal.kind === "api-key") {
    if (access === "read") return principal.scopes.includes("read") ? allow : deny("this API key may not read")
    if (access === "events") return principal.scopes.includes("events:write") ? allow : deny("this API key may not send events")
    return deny("API keys may only read or send events")
  }
  switch (access) {
    case "read":
    case "operator":
      return allow
    case "write":
    case "events":
      return principal.role === "tenant-viewer" ? deny("viewers may only read") : allow
    case "admin":
      return principal.role === "admin" ? allow : deny("only the platform admin may do this")
  }
}

/** The tenants a principal reaches: every one for the platform admin, its own otherwise. */
export const scopeOf = (principal: Principal): TenantScope =>
  principal.kind === "operator" && principal.role === "admin" ? allTenants : oneTenant(principal.tenant!)
