import { createHmac, timingSafeEqual } from "node:crypto"

export interface Received {
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly at: number
}

/** A real HTTP receiver on a free port: answers with `answer` (which may wait), records every request. */
export const startReceiver = (answer: (request: Received, index: number) => Promise<Response> | Response = () => new Response("ok")) => {
  const received: Array<Received> = []
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 30,
    fetch: async (request) => {
      const entry = { path: new URL(request.url).pathname, headers: Object.fromEntries(request.headers.entries()), body: await request.text(), at: Date.now() }
      received.push(entry)
      return answer(entry, received.length - 1)
    }
  })
  return { url: `http://127.0.0.1:${server.port}/hooks`, received, stop: () => server.stop(true) }
}

/**
 * A receiver's check of `Loyaltea-Signature`, written from the README's description only: some
 * `v1` must equal HMAC-SHA256(secret, `${t}.${body}`) in hex, and `t` must be recent.
 */
export const verifySignature = (header: string | undefined, body: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = 300) => {
  if (!header) return false
  const parts = header.split(",").map((part) => part.split("=", 2) as [string, string])
  const t = parts.find(([k]) => k === "t")?.[1]
  if (!t || !/^\d+$/.test(t) || Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false
  const expected = createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest()
  return parts.some(([k, v]) => k === "v1" && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, "hex"), expected))
}
