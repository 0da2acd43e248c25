import { Effect, Schema } from "effect"
import { AppConfig, type AppConfigShape } from "../config/app-config.ts"
import { type Peer, peerUrl } from "../config/peer-urls.ts"

// A peer that does not answer in this long is out of reach for this request.
const peerTimeoutMs = 5000

/** Another service did not answer, or answered 5xx: the request that needed it is a 503. */
export class PeerUnavailable extends Schema.TaggedError<PeerUnavailable>()("PeerUnavailable", {
  peer: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `the ${this.peer} service cannot answer right now: ${this.reason}`
  }
}

/** The credential a request came with, to ask another service on the caller's behalf (never more). */
export type Credential = Readonly<Record<string, string>>

export const forwardedCredential = (request: Request): Credential =>
  Object.fromEntries(["authorization", "x-api-key"].flatMap((name) => {
    const value = request.headers.get(name)
    return value ? [[name, value]] : []
  }))

/**
 * Asks another service over HTTP with the caller's own credential, so it sees exactly what the
 * caller may see. A refusal (4xx) is a bug between the two services, answered as unavailable too,
 * with the peer's problem detail in the log.
 */
const ask = (config: AppConfigShape) => (peer: Peer, method: "GET" | "POST", path: string, credential: Credential, body?: unknown) =>
  Effect.gen(function*() {
    const url = new URL(path, peerUrl(config.peers, config.ports, peer))
    const response = yield* Effect.tryPromise({
      try: () =>
        fetch(url, {
          method,
          headers: { ...credential, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(peerTimeoutMs)
        }),
      catch: (error) => new PeerUnavailable({ peer, reason: error instanceof Error ? error.message : String(error) })
    })
    const text = yield* Effect.promise(() => response.text())
    if (!response.ok) {
      yield* Effect.logWarning(`${peer} answered ${method} ${url.pathname} with ${response.status}`).pipe(Effect.annotateLogs({ detail: text.slice(0, 300) }))
      return yield* new PeerUnavailable({ peer, reason: `it answered ${response.status}` })
    }
    return JSON.parse(text) as unknown
  })

export type AskPeer = ReturnType<typeof ask>

/** The process's way to ask its peers, where the configuration says they are. */
export const peerClient = Effect.map(Effect.service(AppConfig), ask)
