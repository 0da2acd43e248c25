import { Context, Effect, Layer } from "effect"
import type { DatabaseError } from "../db/errors.ts"
import type { Credential } from "./credentials.ts"
import type { CredentialsUnavailable, Principal } from "./principal.ts"
import { Unauthorized } from "./principal.ts"

/** Unauthorized (401), or a credential that cannot be checked right now (its store is unreachable): 503, never a pass. */
export type CheckFailure = Unauthorized | CredentialsUnavailable | DatabaseError

/** Where the keys that prove a credential come from: in process, or the user service over HTTP. */
export interface CredentialChecks {
  /** Verifies an access token's signature, issuer, audience and expiry; its claims as a principal. */
  readonly verifyToken: (token: string) => Effect.Effect<Principal, CheckFailure>
  /** The API key's principal, Unauthorized when unknown or revoked, CredentialsUnavailable when it cannot be told. */
  readonly verifyApiKey: (key: string) => Effect.Effect<Principal, CheckFailure>
}

export interface AuthenticatorShape {
  authenticate(credential: Credential | undefined): Effect.Effect<Principal, CheckFailure>
}

/** Checks the credential a request carries; every service's routes go through it. */
export class Authenticator extends Context.Service<Authenticator, AuthenticatorShape>()("loyaltea/auth/Authenticator") {
  static readonly make = (checks: CredentialChecks): AuthenticatorShape => ({
    authenticate: (credential) =>
      credential === undefined
        ? Effect.fail(new Unauthorized({ reason: "a credential is required: Authorization: Bearer <token> or X-API-Key" }))
        : credential.kind === "bearer"
        ? checks.verifyToken(credential.token)
        : checks.verifyApiKey(credential.key)
  })

  static readonly layerFrom = <E, R>(checks: Effect.Effect<CredentialChecks, E, R>) =>
    Layer.effect(Authenticator, Effect.map(checks, Authenticator.make))
}
