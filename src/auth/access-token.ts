import { Effect, Schema } from "effect"
import { errors, type JWTVerifyGetKey, jwtVerify } from "jose"
import { AccessClaims, type Principal, tokenAudience, tokenIssuer, Unauthorized } from "./principal.ts"

/** Short enough that a disabled operator's leftover token dies soon; refresh tokens cover the rest. */
export const accessTokenTtlSeconds = 15 * 60

const reasonOf = (error: unknown): string => {
  if (error instanceof errors.JWTExpired) return "the access token has expired"
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return "the access token is not signed by a known key"
  }
  if (error instanceof errors.JWTClaimValidationFailed) return `the access token's ${error.claim} claim is not valid`
  return "the access token is malformed"
}

const decodeClaims = Schema.decodeUnknownEffect(AccessClaims)

/**
 * Verifies an access token against a key set: `createLocalJWKSet(jwks)` in the user service, or
 * `createRemoteJWKSet(new URL("<user service>/.well-known/jwks.json"))` in the others. Only EdDSA
 * is accepted, so a token cannot choose a weaker algorithm (or `none`).
 */
export const verifyAccessToken = (token: string, keys: JWTVerifyGetKey): Effect.Effect<AccessClaims, Unauthorized> =>
  Effect.tryPromise({
    try: () => jwtVerify(token, keys, { issuer: tokenIssuer, audience: tokenAudience, algorithms: ["EdDSA"], requiredClaims: ["sub", "iat", "exp", "jti"] }),
    catch: (error) => new Unauthorized({ reason: reasonOf(error) })
  }).pipe(
    Effect.flatMap(({ payload }) => decodeClaims(payload)),
    Effect.mapError((error) => (error._tag === "Unauthorized" ? error : new Unauthorized({ reason: "the access token's claims are not valid" })))
  )

export const principalOfClaims = (claims: AccessClaims): Principal => ({
  kind: "operator",
  operatorId: claims.sub,
  username: claims.username,
  role: claims.role,
  tenant: claims.tenant
})
