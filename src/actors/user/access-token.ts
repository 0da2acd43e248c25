import { randomUUID } from "node:crypto"
import { SignJWT } from "jose"
import { accessTokenTtlSeconds } from "../../auth/access-token.ts"
import { type AccessClaims, memberTokenAudience, tokenAudience, tokenIssuer } from "../../auth/principal.ts"

export interface Signer {
  readonly kid: string
  readonly privateKey: CryptoKey
}

/** Claims exactly `AccessClaims` plus the registered ones; `kid` in the header picks the key. */
export const signAccessToken = (signer: Signer, claims: AccessClaims, issuedAt: Date = new Date()): Promise<string> => {
  const iat = Math.floor(issuedAt.getTime() / 1000)
  return new SignJWT({ sid: claims.sid, username: claims.username, role: claims.role, tenant: claims.tenant })
    .setProtectedHeader({ alg: "EdDSA", kid: signer.kid, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(tokenIssuer)
    .setAudience(tokenAudience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + accessTokenTtlSeconds)
    .setJti(randomUUID())
    .sign(signer.privateKey)
}

/** A member token: the member as `sub`, the tenant, and the member audience; `ttlSeconds` is already bounded. */
export const signMemberToken = (signer: Signer, member: { readonly userId: string; readonly tenant: string }, ttlSeconds: number, issuedAt: Date = new Date()): Promise<string> => {
  const iat = Math.floor(issuedAt.getTime() / 1000)
  return new SignJWT({ tenant: member.tenant })
    .setProtectedHeader({ alg: "EdDSA", kid: signer.kid, typ: "JWT" })
    .setSubject(member.userId)
    .setIssuer(tokenIssuer)
    .setAudience(memberTokenAudience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomUUID())
    .sign(signer.privateKey)
}
