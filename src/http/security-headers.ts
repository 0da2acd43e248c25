import { Elysia } from "elysia"

/**
 * Sent with every answer of every port, errors and unknown routes included: no MIME sniffing,
 * no framing, no referrer, and a policy that lets an API answer load nothing at all. The Swagger
 * page replaces the policy with its own (see `openapi.ts`).
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'"
}

export const securityHeadersPlugin = () =>
  new Elysia({ name: "loyaltea-security-headers" }).onRequest(({ set }) => {
    Object.assign(set.headers, securityHeaders)
  })
