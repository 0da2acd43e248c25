import { createHash } from "node:crypto"
import { Effect, Schema } from "effect"
import { createRemoteJWKSet } from "jose"
import type { CredentialChecks } from "./authenticator.ts"
import { verifyAccessToken, verifyMemberToken } from "./access-token.ts"
import { LruCache } from "./lru-cache.ts"
import { ApiKeyScope, CredentialsUnavailable, type Principal, Unauthorized } from "./principal.ts"
import { RevocationFeed } from "./revocations.ts"
import { Tenant } from "../domain/primitives.ts"

const Introspection = Schema.Struct({ keyId: Schema.String, tenant: Tenant, scopes: Schema.Array(ApiKeyScope) })
const decodeIntrospection = Schema.decodeUnknownEffect(Introspection)
const decodeFeed = Schema.decodeUnknownEffect(RevocationFeed)

/** A revoked key stops working in other processes within this long; in the user service's own process, at once. */
export const apiKeyCacheMs = 10_000
/** Keys remembered per process: enough for every shop's backend, bounded so that junk cannot grow memory. */
export const apiKeyCacheEntries = 10_000
/** A user service that does not answer within this long is taken as unreachable (503), not waited for. */
export const userServiceTimeoutMs = 2_000
/** The published keys are refetched this often; while the user service is down, the last ones keep verifying. */
export const jwksCacheMs = 600_000

const unreachable = (what: string) => (error: unknown) =>
  new CredentialsUnavailable({ reason: `${what}: ${error instanceof Error ? error.message : String(error)}` })

/**
 * For processes without the user service: tokens are checked against its published JWKS (fetched
 * and cached by jose for `jwksCacheMs`, refetched for an unknown key id), API keys through its
 * introspection route (remembered for `apiKeyCacheMs`, at most `apiKeyCacheEntries` of them, the
 * least recently used going first). When it cannot be reached, what is cached keeps working and
 * anything else is CredentialsUnavailable (503), never a 401.
 */
export const remoteChecks = (userServiceUrl: string): CredentialChecks => {
  const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", userServiceUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: jwksCacheMs,
    timeoutDuration: userServiceTimeoutMs
  })
  // Keyed by the key's hash, so the process's memory holds no usable secret.
  const cache = new LruCache<string, { principal: Principal; until: number }>(apiKeyCacheEntries)
  const introspect = (key: string) =>
    Effect.tryPromise({
      try: () =>
        fetch(new URL("/auth/introspect", userServiceUrl), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ apiKey: key }),
          signal: AbortSignal.timeout(userServiceTimeoutMs)
        }),
      catch: unreachable("the user service cannot be reached to check an API key")
    }).pipe(
      Effect.flatMap((response): Effect.Effect<unknown, Unauthorized | CredentialsUnavailable> =>
        response.status === 401
          ? Effect.fail(new Unauthorized({ reason: "unknown or revoked API key" }))
          : response.ok
          ? Effect.tryPromise({ try: () => response.json(), catch: unreachable("the introspection answer is not JSON") })
          : Effect.fail(new CredentialsUnavailable({ reason: `introspection answered ${response.status}` }))
      ),
      Effect.flatMap((body) => decodeIntrospection(body).pipe(Effect.mapError(unreachable("the introspection answer is not readable")))),
      Effect.map((info): Principal => ({ kind: "api-key", keyId: info.keyId, tenant: info.tenant, scopes: info.scopes }))
    )
  return {
    verifyToken: (token) => verifyAccessToken(token, jwks),
    verifyMemberToken: (token) => verifyMemberToken(token, jwks),
    verifyApiKey: (key) =>
      Effect.suspend(() => {
        const id = createHash("sha256").update(key).digest("hex")
        const hit = cache.get(id)
        if (hit && hit.until > Date.now()) return Effect.succeed(hit.principal)
        if (hit) cache.delete(id)
        return introspect(key).pipe(Effect.tap((principal) => Effect.sync(() => cache.set(id, { principal, until: Date.now() + apiKeyCacheMs }))))
      })
  }
}

/** A page of the user service's revocation log after `after`, from `GET /auth/revocations`. */
export const revocationPages = (userServiceUrl: string) => (after: string | undefined): Effect.Effect<RevocationFeed, CredentialsUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      const url = new URL("/auth/revocations", userServiceUrl)
      if (after !== undefined) url.searchParams.set("after", after)
      const response = await fetch(url, { signal: AbortSignal.timeout(userServiceTimeoutMs) })
      if (!response.ok) throw new Error(`the user service answered ${response.status}`)
      return response.json()
    },
    catch: unreachable("the revocation list cannot be fetched")
  }).pipe(Effect.flatMap((body) => decodeFeed(body).pipe(Effect.mapError(unreachable("the revocation list is not readable")))))
