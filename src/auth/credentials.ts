/** The credential a request carries: a bearer token (operators) or an API key (machines). */
export type Credential =
  | { readonly kind: "bearer"; readonly token: string }
  | { readonly kind: "api-key"; readonly key: string }

/** `Authorization: Bearer <token>` (an access token or an API key) or `X-API-Key: <key>`. */
export const credentialOf = (headers: Record<string, string | undefined>): Credential | undefined => {
  const apiKey = headers["x-api-key"]?.trim()
  if (apiKey) return { kind: "api-key", key: apiKey }
  const authorization = headers.authorization?.trim()
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null
  if (!match) return undefined
  const token = match[1]!
  // API keys have their own recognisable prefix, so shops can send them either way.
  return token.startsWith("lt_") ? { kind: "api-key", key: token } : { kind: "bearer", token }
}
