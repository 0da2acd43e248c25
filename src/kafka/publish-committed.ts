import { Effect } from "effect"
import type { DatabaseShape } from "../db/database.ts"
import { deleteOutbox, hasOlderUnpublished } from "./outbox.ts"
import type { EventProducerShape, OutgoingMessage } from "./producer.ts"
import type { OutboxSchema } from "./service-schema.ts"

// A request does not wait longer than this for Kafka; past it the outbox relay publishes the events.
const publishWithin = "3 seconds"
// A consumer deletes the rows it published in the background, every 200 ms: an older row usually
// goes within this, and only one still there after it is left behind for the relay.
const olderRowsChecks = 20
const olderRowsEvery = "50 millis"

const olderStillWaiting = (db: DatabaseShape, schema: OutboxSchema, outboxId: string, checks: number): Effect.Effect<boolean, unknown> =>
  hasOlderUnpublished(db.sql, schema, outboxId).pipe(
    Effect.flatMap((older) =>
      older && checks > 1 ? Effect.sleep(olderRowsEvery).pipe(Effect.andThen(olderStillWaiting(db, schema, outboxId, checks - 1))) : Effect.succeed(older)
    )
  )

/**
 * Publishes what a committed transaction wrote to its outbox row, then deletes the row. When Kafka
 * is slow or away the row stays and the service's outbox relay publishes it later: this never fails.
 * When an older row is still there, this one waits for it to go: a consumer publishes its batch at
 * once and deletes the row a moment later, so leaving this row to the relay at the first sight of
 * an older one would let the consumer's next batches overtake it (a user's `reward-notify` would
 * then end on a stale balance). A row still there after that was left behind: this one waits
 * too, for the relay to publish both in the order they were written (on a compacted topic, such as
 * tenants and reward definitions, an older version published after a newer one would be kept).
 */
export const publishCommitted = (db: DatabaseShape, producer: EventProducerShape, schema: OutboxSchema, outboxId: string | undefined, messages: ReadonlyArray<OutgoingMessage>) =>
  outboxId === undefined
    ? Effect.void
    : olderStillWaiting(db, schema, outboxId, olderRowsChecks).pipe(
      Effect.flatMap((older) =>
        older
          ? Effect.logInfo(`${schema}: events wait in the outbox behind older ones, for its relay to publish in order`)
          : producer.send(messages).pipe(Effect.timeout(publishWithin), Effect.andThen(deleteOutbox(db.sql, schema, [outboxId])))
      ),
      Effect.catchCause((cause) => Effect.logWarning(`${schema}: events left in the outbox for its relay to publish`, cause))
    )
