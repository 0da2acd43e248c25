import { Elysia } from "elysia"
import { securityHeaders } from "./security-headers.ts"

const allowMethods = "GET, POST, PUT, PATCH, DELETE"
const allowHeaders = "authorization, content-type, x-api-key, idempotency-key"
// Retry-After tells a browser app when to come back after a 503 or a 429.
const exposeHeaders = "retry-after"
const preflightMaxAgeSeconds = "600"

/**
 * Cross-origin access for the configured origins only (`LOYALTEA_CORS_ORIGINS`, exact
 * `scheme://host[:port]`): a browser app on one of them may call the API with a member token. An
 * answer to any other origin carries no `Access-Control-Allow-Origin`, so the browser withholds it.
 * No cookies are involved (credentials are headers), so credentials are never allowed.
 */
export const corsPlugin = (origins: ReadonlyArray<string>) => {
  const allowed = new Set(origins)
  return new Elysia({ name: "loyaltea-cors", seed: origins }).onRequest(({ request, set }) => {
    if (allowed.size === 0) return
    const origin = request.headers.get("origin")
    const permitted = origin !== null && allowed.has(origin)
    // The answer differs by Origin: caches must not hand one origin's answer to another.
    const cors: Record<string, string> = permitted ? { "access-control-allow-origin": origin, vary: "Origin" } : { vary: "Origin" }
    if (request.method === "OPTIONS" && request.headers.has("access-control-request-method")) {
      const preflight = permitted
        ? { ...cors, "access-control-allow-methods": allowMethods, "access-control-allow-headers": allowHeaders, "access-control-max-age": preflightMaxAgeSeconds }
        : cors
      return new Response(null, { status: 204, headers: { ...securityHeaders, ...preflight } })
    }
    Object.assign(set.headers, permitted ? { ...cors, "access-control-expose-headers": exposeHeaders } : cors)
  })
}
