import { Effect, Schema } from "effect"
import type { AnyElysia } from "elysia"

export class PortUnavailable extends Schema.TaggedError<PortUnavailable>()("PortUnavailable", {
  service: Schema.String,
  port: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `the ${this.service} service cannot listen on port ${this.port}: ${this.reason}`
  }
}

export interface ListenOptions {
  readonly service: string
  readonly hostname: string
  readonly port: number
}

/**
 * Bun's own cap would answer an oversized body with a bare 413 before the app sees it. The app
 * enforces the limit itself (declared lengths at once, chunked bodies while reading, then closing
 * the connection), so every 413 carries the error body; Bun's cap only has to stay out of the way.
 */
const unlimited = Number.MAX_SAFE_INTEGER

const reasonOf = (error: unknown, service: string) => {
  const message = error instanceof Error ? error.message : String(error)
  return /in use|EADDRINUSE/i.test(message) ? `another process listens there (set ${service.toUpperCase()}_PORT to use another port)` : message
}

/**
 * Listens for the life of the scope. Closing stops accepting connections and lets requests in
 * flight finish before the scope's later finalizers (actors, pool) run.
 */
export const listen = <App extends AnyElysia>(app: App, options: ListenOptions) =>
  Effect.acquireRelease(
    Effect.try({
      try: () =>
        app.listen({
          hostname: options.hostname,
          port: options.port,
          // Elysia asks for SO_REUSEPORT, which lets a second process share the port and take
          // every other connection: a port in use must be an error instead.
          reusePort: false,
          maxRequestBodySize: unlimited
        }),
      catch: (error) =>
        new PortUnavailable({ service: options.service, port: options.port, reason: reasonOf(error, options.service) })
    }),
    (app) => Effect.promise(() => app.stop(false))
  )
