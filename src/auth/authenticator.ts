import { Context, Effect, Layer } from "effect"
import { decodeJwt } from "jose"
import type { DatabaseError } from "../db/errors.ts"
import type { Credential } from "./credentials.ts"
import { principalOfClaims, principalOfMemberClaims } from "./access-token.ts"
import type { CredentialsUnavailable, MemberClaims, Principal, VerifiedClaims } from "./principal.ts"
import { memberTokenAudience, Unauthorized } from "./principal.ts"
import { LruCache } from "./lru-cache.ts"
import { type RevocationList, Revocations } from "./revocations.ts"

/** Unauthorized (401), or a credential that cannot be checked right now (its store is unreachable): 503, never a pass. */
export type CheckFailure = Unauthorized | CredentialsUnavailable | DatabaseError

/** Where the keys that prove a credential come from: in process, or the user service over HTTP. */
export interface CredentialChecks {
  /** Verifies an access token's signature, issuer, audience and expiry; its claims. */
  readonly verifyToken: (token: string) => Effect.Effect<VerifiedClaims, CheckFailure>
  /** The same for a member token (its own audience); an operator's access token fails it. */
  readonly verifyMemberToken: (token: string) => Effect.Effect<MemberClaims, CheckFailure>
  /** The API key's principal, Unauthorized when unknown or revoked, CredentialsUnavailable when it cannot be told. */
  readonly verifyApiKey: (key: string) => Effect.Effect<Principal, CheckFailure>
}

export interface AuthenticatorShape {
  authenticate(credential: Credential | undefined): Effect.Effect<Principal, CheckFailure>
  /**
   * The principal of a bearer token `authenticate` let through before, at no more cost than a
   * lookup (no fiber, no decoding): undefined when it has to go through `authenticate` (not seen,
   * expired, revoked since, or the revocation list not current enough to tell).
   */
  known(credential: Credential | undefined): Principal | undefined
}

// Tokens verified lately, by their text: a signature that checked out once checks out until the
// token expires, so a client sending the same token again costs no signature verification.
const verifiedCapacity = 10_000

/** A verified token's claims and the principal they make. */
interface Verified<C> {
  readonly claims: C
  readonly principal: Principal
}

const verifiedTokens = <C extends { readonly exp: number }>(verify: (token: string) => Effect.Effect<C, CheckFailure>, principalOf: (claims: C) => Principal) => {
  const cache = new LruCache<string, Verified<C>>(verifiedCapacity)
  /** The token's entry while it has not expired (expiry is checked on every use; revocation by the caller, every time). */
  const peek = (token: string): Verified<C> | undefined => {
    const known = cache.get(token)
    if (known !== undefined && known.claims.exp * 1000 > Date.now()) return known
    if (known !== undefined) cache.delete(token)
    return undefined
  }
  const check = (token: string): Effect.Effect<Verified<C>, CheckFailure> =>
    Effect.suspend(() => {
      const known = peek(token)
      if (known !== undefined) return Effect.succeed(known)
      return verify(token).pipe(Effect.map((claims) => {
        const entry = { claims, principal: principalOf(claims) }
        cache.set(token, entry)
        return entry
      }))
    })
  return { check, peek }
}

/**
 * Which verifier a bearer token goes to, read from its unverified audience: only a choice of
 * check, since each verifier then insists on its own audience (and signature).
 */
const isMemberToken = (token: string): boolean => {
  try {
    const { aud } = decodeJwt(token)
    return aud === memberTokenAudience || (Array.isArray(aud) && aud.includes(memberTokenAudience))
  } catch {
    return false
  }
}

/**
 * Checks the credential a request carries; every service's routes go through it. A token that
 * verifies must also not be revoked: its session ended or its operator was disabled (the process's
 * revocation list, kept in memory, so no request costs a query). A member token has no session
 * to end: it is short-lived instead (at most `memberTokenMaxTtlSeconds`).
 */
export class Authenticator extends Context.Service<Authenticator, AuthenticatorShape>()("loyaltea/auth/Authenticator") {
  static readonly make = (checks: CredentialChecks, revocations: RevocationList): AuthenticatorShape => {
    const verified = verifiedTokens(checks.verifyToken, principalOfClaims)
    const verifiedMember = verifiedTokens(checks.verifyMemberToken, principalOfMemberClaims)
    return {
      authenticate: (credential) =>
        credential === undefined
          ? Effect.fail(new Unauthorized({ reason: "a credential is required: Authorization: Bearer <token> or X-API-Key" }))
          : credential.kind === "bearer" && isMemberToken(credential.token)
          ? verifiedMember.check(credential.token).pipe(Effect.map((v) => v.principal))
          : credential.kind === "bearer"
          ? verified.check(credential.token).pipe(Effect.tap((v) => revocations.check(v.claims)), Effect.map((v) => v.principal))
          : checks.verifyApiKey(credential.key),
      known: (credential) => {
        if (credential?.kind !== "bearer") return undefined
        const member = verifiedMember.peek(credential.token)
        if (member !== undefined) return member.principal
        const operator = verified.peek(credential.token)
        return operator !== undefined && revocations.passes(operator.claims) ? operator.principal : undefined
      }
    }
  }

  static readonly layerFrom = <E, R>(checks: Effect.Effect<CredentialChecks, E, R>) =>
    Layer.effect(
      Authenticator,
      Effect.all([checks, Effect.service(Revocations)]).pipe(Effect.map(([made, revocations]) => Authenticator.make(made, revocations)))
    )
}
