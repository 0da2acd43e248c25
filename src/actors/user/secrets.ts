import { createHash, randomBytes } from "node:crypto"

const format = /^lt_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/

const uuidOf = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`

/**
 * `lt_<id>_<secret>`: the id lets a leaked key be recognised (and found) without the secret; the
 * 32 random bytes make the key itself unguessable.
 */
export const newApiKey = (id: string): string => `lt_${id.replaceAll("-", "")}_${randomBytes(32).toString("base64url")}`

/** The key's id when it has the key format, so junk never reaches the database. */
export const apiKeyIdOf = (raw: string): string | undefined => {
  const match = format.exec(raw)
  return match ? uuidOf(match[1]!) : undefined
}

/**
 * SHA-256 is enough for 256-bit random secrets (nothing to brute-force), and cheap enough to run on
 * every event request; a slow password hash would only add latency.
 */
export const sha256 = (secret: string): string => createHash("sha256").update(secret).digest("hex")

/** Opaque refresh tokens: 32 random bytes; only their SHA-256 is stored. */
export const newRefreshToken = (): string => randomBytes(32).toString("base64url")
