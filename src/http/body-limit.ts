import { Elysia } from "elysia"
import { HttpRefusal } from "./refusal.ts"

/** Default cap on request bodies; an events array and every text field fit well under it. */
export const maxBodyBytes = 1024 * 1024

export class PayloadTooLarge extends HttpRefusal {
  constructor(readonly limit: number) {
    super(413, { error: "PayloadTooLarge", message: `the request body is over ${limit} bytes` })
  }
}

/**
 * 413 for a body over the limit, before anything parses it: refused from its declared length, or
 * measured when no length was declared. (Over TCP the server refuses longer bodies by itself.)
 */
export const bodyLimit = (limit = maxBodyBytes) =>
  new Elysia({ name: "loyaltea-body-limit" }).onRequest(async ({ request }) => {
    const declared = request.headers.get("content-length")
    if (declared !== null) {
      if (Number(declared) > limit) throw new PayloadTooLarge(limit)
      return
    }
    if (request.body !== null && (await request.clone().arrayBuffer()).byteLength > limit) throw new PayloadTooLarge(limit)
  })
