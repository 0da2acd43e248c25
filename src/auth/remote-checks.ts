import { Effect, Schema } from "effect"
import { createRemoteJWKSet } from "jose"
import type { CredentialChecks } from "./authenticator.ts"
import { principalOfClaims, verifyAccessToken } from "./access-token.ts"
import { ApiKeyScope, type Principal, Unauthorized } from "./principal.ts"
import { Tenant } from "../domain/primitives.ts"

const Introspection = Schema.Struct({ keyId: Schema.String, tenant: Tenant, scopes: Schema.Array(ApiKeyScope) })
const decodeIntrospection = Schema.decodeUnknownEffect(Introspection)

// A revoked key stops working in other processes within this long; in the user service's own process, at once.
const apiKeyCacheMs = 10_000

/**
 * For processes without the user service: tokens are checked against its published JWKS (fetched
 * and cached by jose, refetched for an unknown key id), API keys through its introspection route.
 */
export const remoteChecks = (userServiceUrl: string): CredentialChecks => {
  const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", userServiceUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
  const cache = new Map<string, { principal: Principal; until: number }>()
  const introspect = (key: string) =>
    Effect.tryPromise({
      try: async () => {
        const response = await fetch(new URL("/auth/introspect", userServiceUrl), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ apiKey: key })
        })
        if (response.status === 401) return undefined
        if (!response.ok) throw new Error(`introspection answered ${response.status}`)
        return response.json()
      },
      catch: () => new Unauthorized({ reason: "the user service cannot check API keys right now" })
    }).pipe(
      Effect.flatMap((body): Effect.Effect<typeof Introspection.Type, Unauthorized> =>
        body === undefined
          ? Effect.fail(new Unauthorized({ reason: "unknown or revoked API key" }))
          : decodeIntrospection(body).pipe(Effect.mapError(() => new Unauthorized({ reason: "unreadable introspection answer" })))
      ),
      Effect.map((info): Principal => ({ kind: "api-key", keyId: info.keyId, tenant: info.tenant, scopes: info.scopes }))
    )
  return {
    verifyToken: (token) => verifyAccessToken(token, jwks).pipe(Effect.map(principalOfClaims)),
    verifyApiKey: (key) => {
      const hit = cache.get(key)
      if (hit && hit.until > Date.now()) return Effect.succeed(hit.principal)
      return introspect(key).pipe(Effect.tap((principal) => Effect.sync(() => cache.set(key, { principal, until: Date.now() + apiKeyCacheMs }))))
    }
  }
}
