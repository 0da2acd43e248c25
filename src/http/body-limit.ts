import { Elysia } from "elysia"
import { HttpRefusal } from "./refusal.ts"

/** Default cap on request bodies; an events array and every text field fit well under it. */
export const maxBodyBytes = 1024 * 1024

export class PayloadTooLarge extends HttpRefusal {
  constructor(readonly limit: number) {
    // The rest of the body stays unread, so the connection cannot carry another request.
    super(413, { error: "PayloadTooLarge", message: `the request body is over ${limit} bytes` }, { connection: "close" })
  }
}

/** The body's bytes, read only while they stay within `limit`: one byte more and reading stops with a 413. */
export const readBody = async (body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> => {
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw new PayloadTooLarge(limit)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

/**
 * 413 for a body declared over the limit, before a byte of it is read. A body sent without a
 * length (chunked) is measured as it is read; its connection closes after the answer, so the
 * server never drains a remainder nobody reads (unknown routes, bodies on GET).
 */
export const bodyLimit = (limit = maxBodyBytes) =>
  new Elysia({ name: "loyaltea-body-limit" }).onRequest(({ request, set }) => {
    const declared = request.headers.get("content-length")
    if (declared !== null) {
      if (Number(declared) > limit) throw new PayloadTooLarge(limit)
      return
    }
    if (request.body !== null) set.headers.connection = "close"
  })
