import { Effect } from "effect"
import { Database } from "../db/database.ts"
import { claimUnpublished } from "./inbox.ts"
import { EventProducer } from "./producer.ts"
import { retryForever } from "./retry.ts"
import type { ServiceSchema } from "./service-schema.ts"

const batchSize = 500
// Younger rows belong to batches still on their way out through the consumer that wrote them.
const defaultMinAgeMs = 5000
const interval = "2 seconds"

/**
 * The safety net behind the consumer's publish-after-commit: events whose emitted events were
 * stored but never confirmed published (the process died in between, or the broker was away
 * longer than the consumer waited) are published from the database and cleared, whether or not
 * their input is still in Kafka to be redelivered. A duplicate is dropped downstream by event id.
 */
export const startEmittedRelay = (schema: ServiceSchema, minAgeMs = defaultMinAgeMs) =>
  Effect.gen(function*() {
    const db = yield* Database
    const producer = yield* EventProducer

    const sweepOnce = db.transaction((tx) =>
      Effect.gen(function*() {
        const rows = yield* claimUnpublished(tx, schema, batchSize, minAgeMs)
        if (rows.length === 0) return 0
        yield* producer.send(rows.flatMap((row) => row.emitted))
        yield* Effect.tryPromise(() => tx`
          update ${tx(`${schema}.processed_events`)} set emitted = null
          where (topic, event_id) in (select * from unnest(${rows.map((r) => r.topic)}::text[], ${rows.map((r) => r.eventId)}::text[]))`)
        yield* Effect.logInfo(`${schema}: published the events of ${rows.length} processed event(s) left unpublished`)
        return rows.length
      })
    )
    const sweep: Effect.Effect<void, unknown> = sweepOnce.pipe(Effect.flatMap((sent) => (sent === batchSize ? sweep : Effect.void)))

    yield* sweep.pipe(
      Effect.andThen(Effect.sleep(interval)),
      Effect.forever,
      Effect.tapCause((cause) => Effect.logWarning(`${schema} relay failed; retrying`, cause)),
      Effect.retry(retryForever),
      Effect.annotateLogs({ component: `${schema}-relay` }),
      Effect.forkScoped
    )
  })
