import { Clock, Context, Effect, Layer } from "effect"
import { memberTokenDefaultTtlSeconds } from "../../auth/access-token.ts"
import type { Principal } from "../../auth/principal.ts"
import { Database } from "../../db/database.ts"
import { InvalidInput } from "../../domain/errors.ts"
import { requireTenant } from "../../domain/tenant-guard.ts"
import { scopeOf } from "../../auth/access-policy.ts"
import type { MemberToken, MemberTokenRequest } from "./member-token-model.ts"
import { SigningKeys } from "./signing-keys.ts"
import { findTenant } from "./tenant-repo.ts"

const make = Effect.gen(function*() {
  const db = yield* Database
  const keys = yield* SigningKeys

  /** The body's tenant, else the caller's own; a platform admin must name one. */
  const tenantOf = (principal: Principal, request: MemberTokenRequest | null | undefined): Effect.Effect<string, InvalidInput> => {
    if (request?.tenant !== undefined) return Effect.succeed(request.tenant)
    if (principal.tenant) return Effect.succeed(principal.tenant)
    return Effect.fail(new InvalidInput({ field: "tenant", reason: "required when the credential is not bound to one tenant" }))
  }

  return {
    /**
     * A short-lived token for one member of the caller's tenant, for the shop's app to hold in
     * place of any credential of the shop's own. The member need not be registered: a user id is
     * whatever the shop's events name.
     */
    mint: (principal: Principal, userId: string, request: MemberTokenRequest | null | undefined) =>
      Effect.gen(function*() {
        const tenant = yield* tenantOf(principal, request)
        const scope = scopeOf(principal)
        yield* requireTenant(scope, tenant)
        const known = yield* findTenant(db.sql, scope, tenant)
        if (!known) return yield* new InvalidInput({ field: "tenant", reason: `no tenant ${tenant}` })
        const ttlSeconds = request?.ttlSeconds ?? memberTokenDefaultTtlSeconds
        const now = yield* Clock.currentTimeMillis
        const issuedAt = new Date(now)
        const token = yield* keys.signMember({ userId, tenant }, ttlSeconds, issuedAt)
        const expiresAt = new Date((Math.floor(now / 1000) + ttlSeconds) * 1000).toISOString()
        return { token, expiresAt, userId, tenant } satisfies MemberToken
      })
  }
})

/** Member tokens, signed with the access-token keys for the member audience. */
export class MemberTokens extends Context.Service<MemberTokens, Effect.Success<typeof make>>()("loyaltea/user/MemberTokens") {
  static readonly layer = Layer.effect(MemberTokens, make)
}
