import { Context, Effect, Layer, Semaphore } from "effect"
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey } from "jose"
import type { AccessClaims } from "../../auth/principal.ts"
import { Database } from "../../db/database.ts"
import { verifyAccessToken, verifyMemberToken } from "../../auth/access-token.ts"
import { type Signer, signAccessToken, signMemberToken } from "./access-token.ts"
import type { Jwks } from "./auth-model.ts"
import { findActiveKey, insertKey, lockKeyCreation, publishedKeys } from "./signing-key-repo.ts"

// Verifiers re-read the published keys this often, so a key added by another process is picked up.
const keySetTtlMs = 60_000

const generate = Effect.promise(async () => {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { kid: await calculateJwkThumbprint(publicJwk), privateJwk: await exportJWK(privateKey), publicJwk }
})

const toSigner = (kid: string, privateJwk: Record<string, unknown>) =>
  Effect.promise(() => importJWK(privateJwk as JWK, "EdDSA")).pipe(Effect.map((privateKey): Signer => ({ kid, privateKey: privateKey as CryptoKey })))

const make = Effect.gen(function*() {
  const db = yield* Database
  const loading = yield* Semaphore.make(1)
  let signer: Signer | undefined
  let keySet: { readonly at: number; readonly keys: JWTVerifyGetKey } | undefined

  // Only the user service holds a private key; it lives in the database so every process shares it.
  const loadOrCreate = db.transaction((tx) =>
    Effect.gen(function*() {
      const found = yield* findActiveKey(tx)
      if (found) return found
      yield* lockKeyCreation(tx)
      const raced = yield* findActiveKey(tx)
      if (raced) return raced
      const created = yield* generate
      yield* insertKey(tx, created)
      return created
    })
  )

  const currentSigner = Effect.suspend(() =>
    signer
      ? Effect.succeed(signer)
      : loading.withPermit(Effect.suspend(() =>
        signer ? Effect.succeed(signer) : loadOrCreate.pipe(
          Effect.flatMap((key) => toSigner(key.kid, key.privateJwk)),
          Effect.tap((loaded) => Effect.sync(() => (signer = loaded)))
        )
      ))
  )

  const publicJwks: Effect.Effect<Jwks, Effect.Error<typeof loadOrCreate>> = currentSigner.pipe(
    Effect.andThen(publishedKeys(db.sql)),
    Effect.map((rows) => ({
      keys: rows.map((row) => ({ ...(row.publicJwk as Omit<Jwks["keys"][number], "kid" | "alg" | "use">), kid: row.kid, alg: "EdDSA" as const, use: "sig" as const }))
    }))
  )

  const currentKeySet = Effect.suspend(() =>
    keySet && Date.now() - keySet.at < keySetTtlMs
      ? Effect.succeed(keySet.keys)
      : publicJwks.pipe(
        Effect.map((jwks) => createLocalJWKSet({ keys: jwks.keys.map((key) => ({ ...key })) })),
        Effect.tap((keys) => Effect.sync(() => (keySet = { at: Date.now(), keys })))
      )
  )

  return {
    /** The keys verifiers need, as served at `/.well-known/jwks.json`. */
    publicJwks,
    /** A 15-minute access token; `issuedAt` lets tests make one that has already expired. */
    sign: (claims: AccessClaims, issuedAt?: Date) =>
      currentSigner.pipe(Effect.flatMap((current) => Effect.promise(() => signAccessToken(current, claims, issuedAt)))),
    /** A member token for `ttlSeconds` (bounded by the caller); `issuedAt` lets tests make one that has already expired. */
    signMember: (member: { readonly userId: string; readonly tenant: string }, ttlSeconds: number, issuedAt?: Date) =>
      currentSigner.pipe(Effect.flatMap((current) => Effect.promise(() => signMemberToken(current, member, ttlSeconds, issuedAt)))),
    /** Verifies with the published keys, as any other service would. */
    verify: (token: string) => currentKeySet.pipe(Effect.flatMap((keys) => verifyAccessToken(token, keys))),
    verifyMember: (token: string) => currentKeySet.pipe(Effect.flatMap((keys) => verifyMemberToken(token, keys)))
  }
})

/** The access-token key pair: generated on first use, stored in `users.signing_keys`, kept in memory. */
export class SigningKeys extends Context.Service<SigningKeys, Effect.Success<typeof make>>()("loyaltea/user/SigningKeys") {
  static readonly layer = Layer.effect(SigningKeys, make)
}
