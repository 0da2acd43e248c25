import { type Duration, Effect } from "effect"
import { Database } from "../db/database.ts"
import { claimLeftovers, deleteOutbox, type OutboxRow } from "./outbox.ts"
import { EventProducer } from "./producer.ts"
import { retryForever } from "./retry.ts"
import type { ServiceSchema } from "./service-schema.ts"

const sweepBatch = 1000
// A row this old was not published by the transaction that wrote it (crash, outage): sweep it.
const leftoverAgeMs = 2000
const sweepInterval = "1 second"
const deleteInterval = "100 millis"

export interface OutboxRelay {
  /**
   * Publishes rows a transaction just committed. Failure is not the caller's: the rows stay in the
   * outbox and the sweep sends them later; consumers drop duplicates by event id.
   */
  readonly publish: (rows: ReadonlyArray<OutboxRow>) => Effect.Effect<void>
}

/**
 * A service's outbox, published two ways: right after each commit by the actor that wrote it
 * (the fast path), and by a sweep that sends rows left behind. Published rows are deleted in
 * batches, so the fast path costs the database nothing extra per batch.
 */
export const startOutboxRelay = (schema: ServiceSchema) =>
  Effect.gen(function*() {
    const db = yield* Database
    const producer = yield* EventProducer
    let published: Array<string> = []

    const deletePublished = Effect.suspend(() => {
      if (published.length === 0) return Effect.void
      const ids = published
      published = []
      return deleteOutbox(db.sql, schema, ids).pipe(Effect.tapError(() => Effect.sync(() => published.push(...ids))))
    })

    const sweepOnce = db.transaction((tx) =>
      Effect.gen(function*() {
        const rows = yield* claimLeftovers(tx, schema, sweepBatch, leftoverAgeMs)
        if (rows.length === 0) return 0
        yield* producer.send(rows)
        yield* deleteOutbox(tx, schema, rows.map((row) => row.id))
        yield* Effect.logInfo(`${schema} outbox: ${rows.length} left-over event(s) published`)
        return rows.length
      })
    )
    const sweep: Effect.Effect<void, unknown> = sweepOnce.pipe(Effect.flatMap((sent) => (sent === sweepBatch ? sweep : Effect.void)))

    const forever = (name: string, step: Effect.Effect<void, unknown>, every: Duration.Input) =>
      Effect.forkScoped(
        step.pipe(
          Effect.andThen(Effect.sleep(every)),
          Effect.forever,
          Effect.tapCause((cause) => Effect.logWarning(`${schema} outbox ${name} failed; retrying`, cause)),
          Effect.retry(retryForever),
          Effect.annotateLogs({ component: `${schema}-outbox` })
        )
      )
    yield* forever("sweep", sweep, sweepInterval)
    yield* forever("clean-up", deletePublished, deleteInterval)
    // What was published but not yet deleted is deleted on the way out.
    yield* Effect.addFinalizer(() => deletePublished.pipe(Effect.ignore))

    return {
      publish: (rows) =>
        rows.length === 0
          ? Effect.void
          : producer.send(rows).pipe(
            Effect.tap(() => Effect.sync(() => published.push(...rows.map((row) => row.id)))),
            Effect.catch((error) => Effect.logWarning(`${schema} outbox: publishing failed, the sweep will retry`, error.message))
          )
    } satisfies OutboxRelay
  })
