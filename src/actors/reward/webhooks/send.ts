import { signatureHeader } from "./signature.ts"
import { type Resolve, resolveAll, targetRefusal } from "./target.ts"

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

const readExcerpt = async (response: Response): Promise<string> => {
  const reader = response.body?.getReader()
  if (!reader) return ""
  const chunks: Array<Uint8Array> = []
  let size = 0
  try {
    while (size < responseExcerptBytes) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.length
    }
  } finally {
    void reader.cancel().catch(() => undefined)
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, responseExcerptBytes))
}

const describe = (error: unknown, timeoutMs: number) => {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`
  return error instanceof Error ? error.message : String(error)
}

/**
 * One signed POST of a delivery: the target is checked first (every address its host resolves
 * to), redirects are never followed (a 3xx is a failure), and the whole exchange, answer included,
 * is bounded by the timeout. Never throws: every way it can go wrong is an outcome to log.
 */
export const sendDelivery = async (request: Request, options: SendOptions): Promise<Outcome> => {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const url = new URL(request.url)
  if (!options.allowPrivate) {
    const refusal = await targetRefusal(url, options.resolve ?? resolveAll)
    if (refusal) return { ok: false, status: null, error: `refused: ${refusal}`, latencyMs: elapsed(), excerpt: null }
  }
  const signal = AbortSignal.timeout(options.timeoutMs)
  try {
    const response = await fetch(url, {
      method: "POST",
      redirect: "manual",
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": "Loyaltea-Webhooks/1",
        "loyaltea-event-id": request.eventId,
        "loyaltea-event-type": request.eventType,
        "loyaltea-delivery-id": request.deliveryId,
        "loyaltea-signature": signatureHeader(request.secrets, request.unixSeconds, request.body)
      },
      body: request.body
    })
    const excerpt = await readExcerpt(response)
    const ok = response.status >= 200 && response.status < 300
    const error = ok ? null : response.status >= 300 && response.status < 400 ? `redirect to ${response.headers.get("location") ?? "nowhere"} not followed` : null
    return { ok, status: response.status, error, latencyMs: elapsed(), excerpt }
  } catch (error) {
    return { ok: false, status: null, error: describe(error, options.timeoutMs), latencyMs: elapsed(), excerpt: null }
  }
}
