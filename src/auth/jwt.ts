import { Effect, Schema } from "effect"
import { type JWTVerifyGetKey, jwtVerify } from "jose"
import { AccessClaims, type Principal, tokenAudience, tokenIssuer, Unauthorized } from "./principal.ts"

const decodeClaims = Schema.decodeUnknownEffect(AccessClaims)

/**
 * Verifies an access token against a key set (the user service's JWKS): EdDSA only, issuer,
 * audience and expiry checked. Why it failed is kept for the log, never for the client.
 */
export const verifyAccessToken = (keys: JWTVerifyGetKey) => (token: string): Effect.Effect<Principal, Unauthorized> =>
  Effect.tryPromise({
    try: () => jwtVerify(token, keys, { issuer: tokenIssuer, audience: tokenAudience, algorithms: ["EdDSA"] }),
    catch: (error) => new Unauthorized({ reason: `invalid access token (${(error as { code?: string }).code ?? "unverifiable"})` })
  }).pipe(
    Effect.flatMap(({ payload }) => decodeClaims(payload)),
    Effect.mapError((error) => (error instanceof Unauthorized ? error : new Unauthorized({ reason: "invalid access token (claims)" }))),
    Effect.map((claims): Principal => ({ kind: "operator", operatorId: claims.sub, username: claims.username, role: claims.role, tenant: claims.tenant }))
  )
