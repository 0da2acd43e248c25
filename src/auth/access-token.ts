import { Effect, Schema } from "effect"
import { errors, type JWTVerifyGetKey, jwtVerify } from "jose"
import {
  type AccessClaims, CredentialsUnavailable, MemberClaims, memberTokenAudience, type Principal, tokenAudience, tokenIssuer, Unauthorized, VerifiedClaims
} from "./principal.ts"

/** Short enough that a stolen token is soon useless and the revocation list stays short (its entries outlive a token); refresh tokens cover the rest. */
export const accessTokenTtlSeconds = 15 * 60

// Failures that are the token's own fault. Anything else (the key set could not be fetched, timed
// out, or came back unreadable) says nothing about the token: it cannot be checked right now.
const invalidToken = [
  errors.JWTExpired, errors.JWTClaimValidationFailed, errors.JWTInvalid, errors.JWSInvalid, errors.JWSSignatureVerificationFailed,
  errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JWKInvalid, errors.JOSEAlgNotAllowed, errors.JOSENotSupported
]

const failureOf = (error: unknown): Unauthorized | CredentialsUnavailable => {
  if (error instanceof errors.JWTExpired) return new Unauthorized({ reason: "the access token has expired" })
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return new Unauthorized({ reason: "the access token is not signed by a known key" })
  }
  if (error instanceof errors.JWTClaimValidationFailed) return new Unauthorized({ reason: `the access token's ${error.claim} claim is not valid` })
  if (invalidToken.some((kind) => error instanceof kind)) return new Unauthorized({ reason: "the access token is malformed" })
  return new CredentialsUnavailable({ reason: `the keys that verify access tokens cannot be fetched: ${error instanceof Error ? error.message : String(error)}` })
}

const decodeClaims = Schema.decodeUnknownEffect(VerifiedClaims)
const decodeMemberClaims = Schema.decodeUnknownEffect(MemberClaims)

/** A member token lasts this long unless the shop asks for less or more, never more than `memberTokenMaxTtlSeconds`. */
export const memberTokenDefaultTtlSeconds = 15 * 60
/** Member tokens are not revocable (no session stands behind them), so they stay short. */
export const memberTokenMaxTtlSeconds = 60 * 60

/**
 * Verifies an access token against a key set: `createLocalJWKSet(jwks)` in the user service, or
 * `createRemoteJWKSet(new URL("<user service>/.well-known/jwks.json"))` in the others. Only EdDSA
 * is accepted, so a token cannot choose a weaker algorithm (or `none`).
 */
export const verifyAccessToken = (token: string, keys: JWTVerifyGetKey): Effect.Effect<VerifiedClaims, Unauthorized | CredentialsUnavailable> =>
  Effect.tryPromise({
    try: () => jwtVerify(token, keys, { issuer: tokenIssuer, audience: tokenAudience, algorithms: ["EdDSA"], requiredClaims: ["sub", "sid", "iat", "exp", "jti"] }),
    catch: failureOf
  }).pipe(
    Effect.flatMap(({ payload }) => decodeClaims(payload).pipe(Effect.mapError(() => new Unauthorized({ reason: "the access token's claims are not valid" }))))
  )

/**
 * Verifies a member token against the same keys: its audience is `memberTokenAudience`, so an
 * operator's access token fails here, and a member token fails `verifyAccessToken`.
 */
export const verifyMemberToken = (token: string, keys: JWTVerifyGetKey): Effect.Effect<MemberClaims, Unauthorized | CredentialsUnavailable> =>
  Effect.tryPromise({
    try: () => jwtVerify(token, keys, { issuer: tokenIssuer, audience: memberTokenAudience, algorithms: ["EdDSA"], requiredClaims: ["sub", "iat", "exp", "jti"] }),
    catch: failureOf
  }).pipe(
    Effect.flatMap(({ payload }) => decodeMemberClaims(payload).pipe(Effect.mapError(() => new Unauthorized({ reason: "the member token's claims are not valid" }))))
  )

export const principalOfMemberClaims = (claims: MemberClaims): Principal => ({ kind: "member", tenant: claims.tenant, userId: claims.sub })

export const principalOfClaims = (claims: AccessClaims): Principal => ({
  kind: "operator",
  operatorId: claims.sub,
  username: claims.username,
  role: claims.role,
  tenant: claims.tenant
})
