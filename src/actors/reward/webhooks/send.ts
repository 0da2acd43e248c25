import type { LookupAddress } from "node:dns"
import http from "node:http"
import https from "node:https"
import { isIP } from "node:net"
import { signatureHeader } from "./signature.ts"
import { blockedAddressReason, type Resolve, resolveAll, targetRefusal } from "./target.ts"

/** At most this much of a receiver's answer is kept in the delivery log. */
export const responseExcerptBytes = 1024

export interface Request {
  readonly url: string
  readonly deliveryId: string
  readonly eventId: string
  readonly eventType: string
  readonly body: string
  readonly secrets: ReadonlyArray<string>
  readonly unixSeconds: number
}

export interface SendOptions {
  readonly timeoutMs: number
  readonly allowPrivate: boolean
  readonly resolve?: Resolve
}

export interface Outcome {
  readonly ok: boolean
  /** The HTTP status, when an answer came. */
  readonly status: number | null
  /** Why it failed without (or besides) an HTTP status: refused target, timeout, connection error, redirect. */
  readonly error: string | null
  readonly latencyMs: number
  readonly excerpt: string | null
}

class Refused extends Error {}
class TimedOut extends Error {}

type LookupCallback = (error: Error | null, address: string | ReadonlyArray<LookupAddress>, family?: number) => void

/**
 * The connection's own name resolution, checked: the addresses connected to are the ones checked,
 * so a name that changes its records between a check and the connection (DNS rebinding) still
 * reaches no private address.
 */
const checkedLookup = (resolve: Resolve, allowPrivate: boolean) => (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
  resolve(hostname).then((addresses) => {
    if (addresses.length === 0) return callback(new Refused(`${hostname} does not resolve`), [])
    if (!allowPrivate) {
      for (const address of addresses) {
        const reason = blockedAddressReason(address)
        if (reason) return callback(new Refused(`${hostname} resolves to ${address}, a ${reason} address`), [])
      }
    }
    if (options.all) return callback(null, addresses.map((address) => ({ address, family: isIP(address) })))
    callback(null, addresses[0]!, isIP(addresses[0]!))
  }, (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), []))
}

interface Answer {
  readonly status: number
  readonly location: string | undefined
  readonly excerpt: string
}

/** One POST, redirects not followed, the whole exchange (connecting, sending, the answer) within `timeoutMs`. */
const post = (url: URL, headers: Record<string, string>, body: string, timeoutMs: number, lookup: ReturnType<typeof checkedLookup>) =>
  new Promise<Answer>((resolve, reject) => {
    let settled = false
    let response: http.IncomingMessage | undefined
    const chunks: Array<Buffer> = []
    let size = 0
    const client = url.protocol === "https:" ? https : http
    const request = client.request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, lookup: lookup as never }, (res) => {
      response = res
      const finish = () => settle(() => resolve({ status: res.statusCode ?? 0, location: res.headers.location, excerpt: Buffer.concat(chunks).subarray(0, responseExcerptBytes).toString("utf8") }))
      res.on("data", (chunk: Buffer) => {
        if (size < responseExcerptBytes) chunks.push(chunk)
        size += chunk.length
        // Enough of the answer: the rest is not read.
        if (size >= responseExcerptBytes) finish()
      })
      res.on("end", finish)
      res.on("error", finish)
    })
    const timer = setTimeout(() => settle(() => reject(new TimedOut(`no answer within ${timeoutMs} ms`))), timeoutMs)
    const settle = (done: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      done()
      response?.destroy()
      request.destroy()
    }
    request.on("error", (error) => settle(() => reject(error)))
    request.end(body)
  })

const describe = (error: unknown) => {
  if (error instanceof Refused) return `refused: ${error.message}`
  if (error instanceof TimedOut) return error.message
  return error instanceof Error ? error.message : String(error)
}

/**
 * One signed POST of a delivery. Unless private targets are allowed, the host is resolved and
 * every address checked before anything is sent, and again by the connection itself (it connects
 * only to addresses it checked). Redirects are never followed (a 3xx is a failure); the whole
 * exchange is bounded by the timeout and at most 1 KiB of the answer is read. Never throws: every
 * way it can go wrong is an outcome to log.
 */
export const sendDelivery = async (request: Request, options: SendOptions): Promise<Outcome> => {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const url = new URL(request.url)
  const resolve = options.resolve ?? resolveAll
  if (!options.allowPrivate) {
    const refusal = await targetRefusal(url, resolve)
    if (refusal) return { ok: false, status: null, error: `refused: ${refusal}`, latencyMs: elapsed(), excerpt: null }
  }
  const headers = {
    "content-type": "application/json",
    "user-agent": "Loyaltea-Webhooks/1",
    "loyaltea-event-id": request.eventId,
    "loyaltea-event-type": request.eventType,
    "loyaltea-delivery-id": request.deliveryId,
    "loyaltea-signature": signatureHeader(request.secrets, request.unixSeconds, request.body)
  }
  try {
    const answer = await post(url, headers, request.body, options.timeoutMs, checkedLookup(resolve, options.allowPrivate))
    const ok = answer.status >= 200 && answer.status < 300
    const error = ok ? null : answer.status >= 300 && answer.status < 400 ? `redirect to ${answer.location ?? "nowhere"} not followed` : null
    return { ok, status: answer.status, error, latencyMs: elapsed(), excerpt: answer.excerpt }
  } catch (error) {
    return { ok: false, status: null, error: describe(error), latencyMs: elapsed(), excerpt: null }
  }
}
