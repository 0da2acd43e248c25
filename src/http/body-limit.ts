import { Elysia } from "elysia"
import { HttpRefusal } from "./refusal.ts"
import { isUpload } from "./upload-routes.ts"

/** Default cap on request bodies; an events array and every text field fit well under it. */
export const maxBodyBytes = 1024 * 1024

/**
 * How much of an oversized body is still read, and thrown away, so the client (which is usually
 * still sending) can read the 413: closing a connection with unread data resets it, and the reset
 * can destroy the answer before the client reads it. Past this the connection is closed anyway.
 */
export const drainBytes = (limit: number) => 8 * limit

export class PayloadTooLarge extends HttpRefusal {
  constructor(readonly limit: number, closeConnection: boolean) {
    super(413, { error: "PayloadTooLarge", message: `the request body is over ${limit} bytes` }, closeConnection ? { connection: "close" } : {})
  }
}

/**
 * The body's bytes when they stay within `limit`. Past the limit nothing more is kept: a 413,
 * after reading on (without keeping) to the end of a body that is only somewhat too large.
 */
export const readBody = async (body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> => {
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size <= limit) chunks.push(value)
    else if (size > drainBytes(limit)) {
      await reader.cancel().catch(() => undefined)
      throw new PayloadTooLarge(limit, true)
    }
  }
  if (size > limit) throw new PayloadTooLarge(limit, false)
  return Buffer.concat(chunks)
}

/**
 * 413 for a body declared over the limit, before a byte of it is read (the server reads the rest
 * of a declared length and discards it, unless it is over the drain bound: then the connection
 * closes). A body sent without a length (chunked) is measured as it is read; its connection closes
 * after the answer, so the server never drains a remainder nobody reads (unknown routes, GET).
 */
export const bodyLimit = (limit = maxBodyBytes, streamed: (request: Request) => boolean = isUpload) =>
  new Elysia({ name: "loyaltea-body-limit" }).onRequest(({ request, set }) => {
    // An import is measured as it streams, against its own cap (src/http/upload-routes.ts).
    if (streamed(request)) return
    const declared = request.headers.get("content-length")
    if (declared !== null) {
      if (Number(declared) > limit) throw new PayloadTooLarge(limit, Number(declared) > drainBytes(limit))
      return
    }
    if (request.body !== null) set.headers.connection = "close"
  })
