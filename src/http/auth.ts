import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { Introspection, IntrospectionRequest } from "../actors/user/api-key-model.ts"
import { ApiKeys } from "../actors/user/api-key-service.ts"
import type { AuthSettings } from "../actors/user/auth-settings.ts"
import { Jwks, LoginRequest, Me, RefreshRequest, TokenResponse } from "../actors/user/auth-model.ts"
import { TooManyRequests } from "../actors/user/login-throttle.ts"
import { Sessions } from "../actors/user/sessions.ts"
import { SigningKeys } from "../actors/user/signing-keys.ts"
import { TokenRevocations } from "../actors/user/token-revocations.ts"
import { RevocationCursor, RevocationFeed } from "../auth/revocations.ts"
import { asCaller, clientAddress } from "./caller.ts"
import { accessControl } from "./access.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

// Not `Schema.Undefined`: the OpenAPI plugin turns a null-typed response into invalid `content`.
const noContent = standard(Schema.Unknown.annotate({ description: "Done; no body" }))
const invalid = { 400: errorResponse, 422: errorResponse, 503: errorResponse }

/** A throttled login says when to come back, as `Retry-After` (seconds). */
const retryAfter = (set: { headers: Record<string, string | number> }) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(Effect.tapError((error) =>
    Effect.sync(() => {
      if (error instanceof TooManyRequests) set.headers["retry-after"] = String(error.retryAfterSeconds)
    })
  ))

/** Sessions for operators, the published verification keys, and API-key introspection for other processes. */
export const authRoutes = (run: Runner<Sessions | SigningKeys | ApiKeys | TokenRevocations | AuthSettings | Authenticator>) =>
  new Elysia({ name: "loyaltea-auth-routes" })
    .use(accessControl(run))
    .post("/auth/login", ({ body, request, server, set }) =>
      run(set, clientAddress(request, server).pipe(Effect.flatMap((address) => Sessions.use((s) => s.login(body, address))), retryAfter(set))), {
      access: "public",
      body: input(LoginRequest),
      response: { 200: standard(TokenResponse), 401: errorResponse, 429: errorResponse, ...invalid },
      detail: { tags: ["auth"], summary: "Log in: a 15-minute access token and a refresh token; failed logins are throttled per username and per address" }
    })
    .post("/auth/refresh", ({ body, set }) => run(set, Sessions.use((s) => s.refresh(body.refreshToken))), {
      access: "public",
      body: input(RefreshRequest),
      response: { 200: standard(TokenResponse), 401: errorResponse, ...invalid },
      detail: { tags: ["auth"], summary: "Trade a refresh token for a new pair; reusing a spent one ends its whole session" }
    })
    .post("/auth/logout", ({ body, set }) => run(set, Sessions.use((s) => s.logout(body.refreshToken)), 204), {
      access: "public",
      body: input(RefreshRequest),
      response: { 204: noContent, ...invalid },
      detail: { tags: ["auth"], summary: "End the session the refresh token belongs to" }
    })
    .get("/.well-known/jwks.json", ({ set }) => {
      set.headers["cache-control"] = "public, max-age=300"
      return run(set, SigningKeys.use((keys) => keys.publicJwks))
    }, {
      access: "public",
      response: { 200: standard(Jwks), 503: errorResponse },
      detail: { tags: ["auth"], summary: "The public keys (Ed25519) that verify access tokens" }
    })
    .post("/auth/introspect", ({ body, set }) => run(set, ApiKeys.use((k) => k.introspect(body.apiKey))), {
      access: "public",
      body: input(IntrospectionRequest),
      response: { 200: standard(Introspection), 401: errorResponse, ...invalid },
      detail: { tags: ["auth"], summary: "Check an API key for another service: its tenant and scopes, or 401 (the key is the credential)" }
    })
    .get("/auth/revocations", ({ query, set }) => {
      set.headers["cache-control"] = "no-store"
      return run(set, TokenRevocations.use((r) => r.feed(query.after)))
    }, {
      access: "public",
      query: standard(Schema.Struct({ after: Schema.optionalKey(RevocationCursor) })),
      response: { 200: standard(RevocationFeed), 422: errorResponse, 503: errorResponse },
      detail: {
        tags: ["auth"],
        summary: "Access tokens revoked before they expire (ended sessions, disabled operators), for other processes to follow",
        description: "Processes without the user service poll this every LOYALTEA_REVOCATION_POLL_MS with the `cursor` of their previous answer as `after`, "
          + "and refuse a token whose `sid` or `sub` hashes to a listed `subject` and whose `iat` is at most `notAfter`. "
          + "Only hashes are published, never an id; an entry disappears once every token it covers has expired."
      }
    })
    .get("/auth/me", ({ principal, set }) => run(set, asCaller(principal, Effect.succeed)), {
      access: "any",
      response: { 200: standard(Me), 401: errorResponse },
      detail: { tags: ["auth"], summary: "Who the credential belongs to" }
    })
