import { Elysia, ParseError, status } from "elysia"
import { HttpRefusal } from "./refusal.ts"

/** Default cap on request bodies; an events array and every text field fit well under it. */
export const maxBodyBytes = 1024 * 1024

export class PayloadTooLarge extends HttpRefusal {
  constructor(readonly limit: number) {
    super(413, { error: "PayloadTooLarge", message: `the request body is over ${limit} bytes` })
  }
}

const tooLarge = (limit: number) => status(413, new PayloadTooLarge(limit).body)

/**
 * 413 for a body over the limit: refused from its declared length before anything reads it, and
 * measured while parsing when no length was declared. (Over TCP the server refuses it too.)
 */
export const bodyLimit = (limit = maxBodyBytes) =>
  new Elysia({ name: "loyaltea-body-limit" })
    .onRequest(({ request }) => {
      if (Number(request.headers.get("content-length") ?? 0) > limit) return tooLarge(limit)
    })
    .onParse({ as: "global" }, async ({ request, contentType }) => {
      if (!contentType?.startsWith("application/json")) return
      const bytes = await request.arrayBuffer()
      if (bytes.byteLength > limit) throw new PayloadTooLarge(limit)
      try {
        return JSON.parse(new TextDecoder().decode(bytes))
      } catch (error) {
        throw new ParseError(error as Error)
      }
    })
