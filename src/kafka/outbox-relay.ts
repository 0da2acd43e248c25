import { Effect, Queue } from "effect"
import { Database } from "../db/database.ts"
import { claimOutbox, deleteOutbox } from "./outbox.ts"
import { EventProducer } from "./producer.ts"
import { retryForever } from "./retry.ts"
import type { ServiceSchema } from "./service-schema.ts"

const batchSize = 1000
// Rows left behind (by a crash, or another process's actor) are still found without a wake-up.
const pollInterval = "500 millis"

export interface OutboxRelay {
  /** Tells the relay that rows were just committed, so they go out without waiting for the next poll. */
  readonly wake: Effect.Effect<void>
}

/**
 * Publishes a service's outbox: claim rows, send them (acks=all), delete them, commit. A crash
 * between send and commit sends them again; consumers drop the duplicates by event id.
 */
export const startOutboxRelay = (schema: ServiceSchema) =>
  Effect.gen(function*() {
    const db = yield* Database
    const producer = yield* EventProducer
    const wakeups = yield* Queue.sliding<void>(1)

    const drainOnce = db.transaction((tx) =>
      Effect.gen(function*() {
        const started = performance.now()
        const rows = yield* claimOutbox(tx, schema, batchSize)
        if (rows.length === 0) return 0
        yield* producer.send(rows)
        yield* deleteOutbox(tx, schema, rows.map((row) => row.id))
        yield* Effect.logDebug(`${schema} outbox: ${rows.length} published in ${(performance.now() - started).toFixed(1)} ms`)
        return rows.length
      })
    )
    const drain: Effect.Effect<void, unknown> = drainOnce.pipe(Effect.flatMap((sent) => (sent === batchSize ? drain : Effect.void)))

    const loop = Effect.gen(function*() {
      yield* Queue.take(wakeups).pipe(Effect.timeoutOption(pollInterval))
      yield* drain
    }).pipe(
      Effect.forever,
      Effect.tapCause((cause) => Effect.logWarning(`${schema} outbox relay failed; retrying`, cause)),
      Effect.retry(retryForever),
      Effect.annotateLogs({ component: `${schema}-outbox-relay` })
    )
    yield* Effect.forkScoped(loop)
    return { wake: Queue.offer(wakeups, undefined).pipe(Effect.asVoid) } satisfies OutboxRelay
  })
