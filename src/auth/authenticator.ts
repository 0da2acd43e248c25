import { Context, Effect, Layer } from "effect"
import type { DatabaseError } from "../db/errors.ts"
import type { Credential } from "./credentials.ts"
import { principalOfClaims } from "./access-token.ts"
import type { CredentialsUnavailable, Principal, VerifiedClaims } from "./principal.ts"
import { Unauthorized } from "./principal.ts"
import { LruCache } from "./lru-cache.ts"
import { type RevocationList, Revocations } from "./revocations.ts"

/** Unauthorized (401), or a credential that cannot be checked right now (its store is unreachable): 503, never a pass. */
export type CheckFailure = Unauthorized | CredentialsUnavailable | DatabaseError

/** Where the keys that prove a credential come from: in process, or the user service over HTTP. */
export interface CredentialChecks {
  /** Verifies an access token's signature, issuer, audience and expiry; its claims. */
  readonly verifyToken: (token: string) => Effect.Effect<VerifiedClaims, CheckFailure>
  /** The API key's principal, Unauthorized when unknown or revoked, CredentialsUnavailable when it cannot be told. */
  readonly verifyApiKey: (key: string) => Effect.Effect<Principal, CheckFailure>
}

export interface AuthenticatorShape {
  authenticate(credential: Credential | undefined): Effect.Effect<Principal, CheckFailure>
}

// Tokens verified lately, by their text: a signature that checked out once checks out until the
// token expires, so a client sending the same token again costs no signature verification.
const verifiedCapacity = 10_000

const verifiedTokens = (checks: CredentialChecks) => {
  const cache = new LruCache<string, VerifiedClaims>(verifiedCapacity)
  return (token: string): Effect.Effect<VerifiedClaims, CheckFailure> =>
    Effect.suspend(() => {
      const known = cache.get(token)
      // Expiry is still checked on every use; revocation is checked by the caller every time.
      if (known !== undefined && known.exp * 1000 > Date.now()) return Effect.succeed(known)
      if (known !== undefined) cache.delete(token)
      return checks.verifyToken(token).pipe(Effect.tap((claims) => Effect.sync(() => cache.set(token, claims))))
    })
}

/**
 * Checks the credential a request carries; every service's routes go through it. A token that
 * verifies must also not be revoked: its session ended or its operator was disabled (the process's
 * revocation list, kept in memory, so no request costs a query).
 */
export class Authenticator extends Context.Service<Authenticator, AuthenticatorShape>()("loyaltea/auth/Authenticator") {
  static readonly make = (checks: CredentialChecks, revocations: RevocationList): AuthenticatorShape => {
    const verified = verifiedTokens(checks)
    return {
      authenticate: (credential) =>
        credential === undefined
          ? Effect.fail(new Unauthorized({ reason: "a credential is required: Authorization: Bearer <token> or X-API-Key" }))
          : credential.kind === "bearer"
          ? verified(credential.token).pipe(Effect.tap(revocations.check), Effect.map(principalOfClaims))
          : checks.verifyApiKey(credential.key)
    }
  }

  static readonly layerFrom = <E, R>(checks: Effect.Effect<CredentialChecks, E, R>) =>
    Layer.effect(
      Authenticator,
      Effect.all([checks, Effect.service(Revocations)]).pipe(Effect.map(([made, revocations]) => Authenticator.make(made, revocations)))
    )
}
