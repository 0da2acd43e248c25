import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Unauthorized } from "../../auth/principal.ts"
import { Database, type Sql } from "../../db/database.ts"
import { accessTokenTtlSeconds } from "../../auth/access-token.ts"
import type { LoginRequest, TokenResponse } from "./auth-model.ts"
import { LoginThrottle } from "./login-throttle.ts"
import type { OperatorSummary } from "./operator-model.ts"
import { findCredentials } from "./operator-repo.ts"
import { checkPassword, warmPasswordCheck } from "./passwords.ts"
import { findFamily, insertRefreshToken, lockRefreshToken, revokeFamily, revokeRefreshToken, type StoredToken } from "./refresh-token-repo.ts"
import { newRefreshToken, sha256 } from "./secrets.ts"
import { SigningKeys } from "./signing-keys.ts"

/** One message for every failed login, so the answer never tells which part was wrong. */
const badLogin = new Unauthorized({ reason: "invalid username or password" })
const badRefresh = new Unauthorized({ reason: "invalid refresh token" })

/** Logged with the username and address only: never the password or a token. */
const loginRefused = (username: string, address: string, reason: string) =>
  Effect.logWarning("login refused").pipe(Effect.annotateLogs({ username, address, reason }))

type Rotation =
  | { readonly _tag: "Rotated"; readonly operator: OperatorSummary; readonly refreshToken: string }
  | { readonly _tag: "Refused"; readonly reason: string; readonly operatorId?: string }

const make = Effect.gen(function*() {
  const db = yield* Database
  const keys = yield* SigningKeys
  const throttle = yield* LoginThrottle
  yield* warmPasswordCheck

  const tokensFor = (operator: OperatorSummary, refreshToken: string) =>
    keys.sign({ sub: operator.id, username: operator.username, role: operator.role, tenant: operator.tenant }).pipe(
      Effect.map((accessToken): TokenResponse => ({ accessToken, tokenType: "Bearer", expiresIn: accessTokenTtlSeconds, refreshToken, operator }))
    )

  const startFamily = (operator: OperatorSummary) => {
    const refreshToken = newRefreshToken()
    return insertRefreshToken(db.sql, { id: randomUUID(), operatorId: operator.id, tokenHash: sha256(refreshToken), familyId: randomUUID() }).pipe(
      Effect.andThen(tokensFor(operator, refreshToken))
    )
  }

  // Decided and written in one transaction; a refusal is returned, not failed, so revoking a family commits.
  const rotate = (token: StoredToken | undefined, tx: Sql) =>
    Effect.gen(function*(): Effect.fn.Return<Rotation, Effect.Error<ReturnType<typeof revokeFamily>>> {
      if (!token) return { _tag: "Refused", reason: "unknown refresh token" }
      const { operator } = token
      if (operator.disabled) return { _tag: "Refused", reason: "operator disabled", operatorId: operator.id }
      if (token.revoked) {
        yield* revokeFamily(tx, token.familyId)
        return { _tag: "Refused", reason: "reuse of a spent or revoked refresh token: its whole family is revoked", operatorId: operator.id }
      }
      if (token.expired) return { _tag: "Refused", reason: "expired refresh token", operatorId: operator.id }
      yield* revokeRefreshToken(tx, token.id)
      const refreshToken = newRefreshToken()
      yield* insertRefreshToken(tx, { id: randomUUID(), operatorId: operator.id, tokenHash: sha256(refreshToken), familyId: token.familyId })
      return { _tag: "Rotated", operator: { id: operator.id, username: operator.username, role: operator.role, tenant: operator.tenant }, refreshToken }
    })

  return {
    /** Throttled before the password is checked; unknown users cost a full hash check too. */
    login: (input: LoginRequest, address: string) =>
      Effect.gen(function*() {
        const attempt = yield* throttle.attempt(input.username, address).pipe(
          Effect.tapError(() => loginRefused(input.username, address, "too many failed logins"))
        )
        const found = yield* findCredentials(db.sql, input.username)
        const matches = yield* checkPassword(input.password, found?.passwordHash)
        if (!found || !matches || found.disabled) {
          yield* loginRefused(input.username, address, !found ? "unknown username" : !matches ? "wrong password" : "operator disabled")
          return yield* badLogin
        }
        yield* throttle.succeeded(attempt)
        yield* Effect.logInfo("login").pipe(Effect.annotateLogs({ username: found.username, address }))
        return yield* startFamily({ id: found.id, username: found.username, role: found.role, tenant: found.tenant })
      }),
    /** Rotation: the presented token is spent and a new one of the same family returned. */
    refresh: (refreshToken: string) =>
      Effect.gen(function*() {
        const rotation = yield* db.transaction((tx) => lockRefreshToken(tx, sha256(refreshToken)).pipe(Effect.flatMap((token) => rotate(token, tx))))
        if (rotation._tag === "Refused") {
          yield* Effect.logWarning("refresh refused").pipe(Effect.annotateLogs({ reason: rotation.reason, operatorId: rotation.operatorId ?? "" }))
          return yield* badRefresh
        }
        return yield* tokensFor(rotation.operator, rotation.refreshToken)
      }),
    /** Ends the session (the login) the token belongs to: every token of its family stops working. */
    logout: (refreshToken: string) =>
      findFamily(db.sql, sha256(refreshToken)).pipe(
        Effect.flatMap((family) => (family ? Effect.asVoid(revokeFamily(db.sql, family)) : Effect.logInfo("logout with an unknown refresh token")))
      )
  }
})

/** Login, refresh and logout: access tokens from SigningKeys, refresh tokens in `users.refresh_tokens`. */
export class Sessions extends Context.Service<Sessions, Effect.Success<typeof make>>()("loyaltea/user/Sessions") {
  static readonly layer = Layer.effect(Sessions, make)
}
