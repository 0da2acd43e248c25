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
import type { Revocation } from "../../auth/revocations.ts"
import { findFamily, insertRefreshToken, lockFamily, lockRefreshToken, revokeFamily, revokeRefreshToken, type StoredToken } from "./refresh-token-repo.ts"
import { newRefreshToken, sha256 } from "./secrets.ts"
import { SigningKeys } from "./signing-keys.ts"
import { TokenRevocations } from "./token-revocations.ts"

/** One message for every failed login, so the answer never tells which part was wrong. */
const badLogin = new Unauthorized({ reason: "invalid username or password" })
const badRefresh = new Unauthorized({ reason: "invalid refresh token" })

/** Logged with the username and address only: never the password or a token. */
const loginRefused = (username: string, address: string, reason: string) =>
  Effect.logWarning("login refused").pipe(Effect.annotateLogs({ username, address, reason }))

type Rotation =
  | { readonly _tag: "Rotated"; readonly operator: OperatorSummary; readonly refreshToken: string; readonly familyId: string }
  | { readonly _tag: "Refused"; readonly reason: string; readonly operatorId?: string; readonly revoked?: Revocation }

const make = Effect.gen(function*() {
  const db = yield* Database
  const keys = yield* SigningKeys
  const throttle = yield* LoginThrottle
  const revocations = yield* TokenRevocations
  yield* warmPasswordCheck

  // The access token names its session (`sid`), so ending the session revokes it.
  const tokensFor = (operator: OperatorSummary, refreshToken: string, familyId: string) =>
    keys.sign({ sub: operator.id, sid: familyId, username: operator.username, role: operator.role, tenant: operator.tenant }).pipe(
      Effect.map((accessToken): TokenResponse => ({ accessToken, tokenType: "Bearer", expiresIn: accessTokenTtlSeconds, refreshToken, operator }))
    )

  const startFamily = (operator: OperatorSummary) => {
    const refreshToken = newRefreshToken()
    const familyId = randomUUID()
    return insertRefreshToken(db.sql, { id: randomUUID(), operatorId: operator.id, tokenHash: sha256(refreshToken), familyId }).pipe(
      Effect.andThen(tokensFor(operator, refreshToken, familyId))
    )
  }

  /** Ends a session in `tx` (under its lock): its refresh tokens and, if any was live, its access tokens. */
  const endFamily = (tx: Sql, familyId: string) =>
    revokeFamily(tx, familyId).pipe(Effect.flatMap((live) => (live > 0 ? Effect.map(revocations.session(tx, familyId), (r) => [r]) : Effect.succeed([]))))

  // Decided and written in one transaction; a refusal is returned, not failed, so revoking a family commits.
  const rotate = (token: StoredToken | undefined, tx: Sql) =>
    Effect.gen(function*(): Effect.fn.Return<Rotation, Effect.Error<ReturnType<typeof revokeFamily>>> {
      if (!token) return { _tag: "Refused", reason: "unknown refresh token" }
      const { operator } = token
      if (operator.disabled) return { _tag: "Refused", reason: "operator disabled", operatorId: operator.id }
      if (token.revoked) {
        const [revoked] = yield* endFamily(tx, token.familyId)
        return { _tag: "Refused", reason: "reuse of a spent or revoked refresh token: its whole family is revoked", operatorId: operator.id, revoked }
      }
      if (token.expired) return { _tag: "Refused", reason: "expired refresh token", operatorId: operator.id }
      yield* revokeRefreshToken(tx, token.id)
      const refreshToken = newRefreshToken()
      yield* insertRefreshToken(tx, { id: randomUUID(), operatorId: operator.id, tokenHash: sha256(refreshToken), familyId: token.familyId })
      return { _tag: "Rotated", operator: { id: operator.id, username: operator.username, role: operator.role, tenant: operator.tenant }, refreshToken, familyId: token.familyId }
    })

  /** The token's row, read under its session's lock (or nothing, for an unknown token). */
  const lockedToken = (tx: Sql, tokenHash: string) =>
    findFamily(tx, tokenHash).pipe(
      Effect.flatMap((familyId) => (familyId === undefined ? Effect.succeed(undefined) : Effect.andThen(lockFamily(tx, familyId), lockRefreshToken(tx, tokenHash))))
    )

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
        const rotation = yield* db.transaction((tx) => lockedToken(tx, sha256(refreshToken)).pipe(Effect.flatMap((token) => rotate(token, tx))))
        if (rotation._tag === "Refused") {
          if (rotation.revoked) yield* revocations.publish([rotation.revoked])
          yield* Effect.logWarning("refresh refused").pipe(Effect.annotateLogs({ reason: rotation.reason, operatorId: rotation.operatorId ?? "" }))
          return yield* badRefresh
        }
        return yield* tokensFor(rotation.operator, rotation.refreshToken, rotation.familyId)
      }),
    /** Ends the session (the login) the token belongs to: its refresh tokens and its access tokens stop working. */
    logout: (refreshToken: string) =>
      db.transaction((tx) =>
        findFamily(tx, sha256(refreshToken)).pipe(
          Effect.flatMap((family) =>
            family === undefined
              ? Effect.logInfo("logout with an unknown refresh token").pipe(Effect.as([]))
              : Effect.andThen(lockFamily(tx, family), endFamily(tx, family))
          )
        )
      ).pipe(Effect.flatMap(revocations.publish))
  }
})

/** Login, refresh and logout: access tokens from SigningKeys, refresh tokens in `users.refresh_tokens`. */
export class Sessions extends Context.Service<Sessions, Effect.Success<typeof make>>()("loyaltea/user/Sessions") {
  static readonly layer = Layer.effect(Sessions, make)
}
