import { type Duration, Effect } from "effect"
import { Database } from "../db/database.ts"
import { deleteOutbox, leaseLeftovers } from "./outbox.ts"
import { EventProducer } from "./producer.ts"
import { retryForever } from "./retry.ts"
import type { OutboxSchema } from "./service-schema.ts"

const sweepBatch = 100
// Younger rows belong to batches still on their way out through the consumer that wrote them.
const defaultMinAgeMs = 5000
// Longer than a publication takes when Kafka answers; a relay that died holding rows frees them after this.
const leaseMs = 60_000

export interface OutboxRelay {
  /** Records that these outbox rows' events went out; they are deleted in the background. */
  readonly published: (ids: ReadonlyArray<string>) => Effect.Effect<void>
}

/**
 * The outbox behind publish-after-commit. The consumer publishes a batch's events as soon as its
 * transaction commits and reports the rows here; they are deleted in the background, many per
 * statement, off the consumers' path. Rows still there after a while (the process died between
 * commit and publish, or the broker was away) are published by the sweep and deleted. A row
 * published twice only means duplicates, which consumers drop by event id.
 */
export const startOutboxRelay = (schema: OutboxSchema, minAgeMs = defaultMinAgeMs) =>
  Effect.gen(function*() {
    const db = yield* Database
    const producer = yield* EventProducer
    let published: Array<string> = []

    const deletePublished = Effect.suspend(() => {
      const ids = published
      published = []
      return deleteOutbox(db.sql, schema, ids).pipe(Effect.tapError(() => Effect.sync(() => published.push(...ids))))
    })

    // Lease, publish, delete: three steps with no transaction held across the talk with Kafka, so a
    // broker out of reach never keeps a connection (the embedded database has only one) from others.
    const sweepOnce = Effect.gen(function*() {
      const rows = yield* leaseLeftovers(db.sql, schema, sweepBatch, minAgeMs, leaseMs)
      if (rows.length === 0) return 0
      yield* producer.send(rows.flatMap((row) => row.messages))
      yield* deleteOutbox(db.sql, schema, rows.map((row) => row.id))
      yield* Effect.logInfo(`${schema} outbox: published ${rows.length} batch(es) of events left behind`)
      return rows.length
    })
    const sweep: Effect.Effect<void, unknown> = sweepOnce.pipe(Effect.flatMap((sent) => (sent === sweepBatch ? sweep : Effect.void)))

    const forever = (step: Effect.Effect<void, unknown>, every: Duration.Input) =>
      step.pipe(
        Effect.andThen(Effect.sleep(every)),
        Effect.forever,
        Effect.tapCause((cause) => Effect.logWarning(`${schema} outbox relay failed; retrying`, cause)),
        Effect.retry(retryForever),
        Effect.annotateLogs({ component: `${schema}-outbox` }),
        Effect.forkScoped
      )
    yield* forever(sweep, "2 seconds")
    yield* forever(deletePublished, "200 millis")
    yield* Effect.addFinalizer(() => deletePublished.pipe(Effect.ignore))

    return {
      published: (ids) => Effect.sync(() => void published.push(...ids))
    } satisfies OutboxRelay
  })
