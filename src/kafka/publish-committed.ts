import { Effect } from "effect"
import type { DatabaseShape } from "../db/database.ts"
import { deleteOutbox, hasOlderUnpublished } from "./outbox.ts"
import type { EventProducerShape, OutgoingMessage } from "./producer.ts"
import type { OutboxSchema } from "./service-schema.ts"

// A request does not wait longer than this for Kafka; past it the outbox relay publishes the events.
const publishWithin = "3 seconds"

/**
 * Publishes what a committed transaction wrote to its outbox row, then deletes the row. When Kafka
 * is slow or away the row stays and the service's outbox relay publishes it later: this never fails.
 * When an older row is still waiting, this one waits too, for the relay to publish both in the order
 * they were written: on a compacted topic (tenants, reward definitions) an older version published
 * after a newer one would be the one kept.
 */
export const publishCommitted = (db: DatabaseShape, producer: EventProducerShape, schema: OutboxSchema, outboxId: string | undefined, messages: ReadonlyArray<OutgoingMessage>) =>
  outboxId === undefined
    ? Effect.void
    : hasOlderUnpublished(db.sql, schema, outboxId).pipe(
      Effect.flatMap((older) =>
        older
          ? Effect.logInfo(`${schema}: events wait in the outbox behind older ones, for its relay to publish in order`)
          : producer.send(messages).pipe(Effect.timeout(publishWithin), Effect.andThen(deleteOutbox(db.sql, schema, [outboxId])))
      ),
      Effect.catchCause((cause) => Effect.logWarning(`${schema}: events left in the outbox for its relay to publish`, cause))
    )
