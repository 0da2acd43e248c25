import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import type { Forbidden } from "../../domain/errors.ts"
import { requireTenant } from "../../domain/tenant-guard.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import type { ActivityEvent } from "../../events/activity.ts"
import type { BuyEvent } from "../../events/buy.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import type { KafkaUnavailable } from "../../kafka/kafka-client.ts"
import { EventProducer } from "../../kafka/producer.ts"
import type { Accepted } from "./model.ts"

type Publishable = BuyEvent | ActivityEvent

const make = Effect.gen(function*() {
  const producer = yield* EventProducer

  /**
   * All or nothing on our side: every tenant is checked before one batch is sent. An event
   * without an id gets one here, so a redelivery of that message is still recognised; a client
   * that retries after a 503 should send its own ids to make the retry safe.
   */
  const publish = <E extends Publishable>(topic: string, scope: TenantScope, events: ReadonlyArray<E>): Effect.Effect<Accepted, Forbidden | KafkaUnavailable> =>
    Effect.forEach(events, (event) => requireTenant(scope, event.tenant), { discard: true }).pipe(
      Effect.map(() => events.map((event) => ({ ...event, eventId: event.eventId ?? randomUUID() }))),
      Effect.tap((identified) =>
        // A broker out of reach is a 503 at the HTTP edge: the client retries later.
        producer.send(identified.map((event) => ({ topic, key: eventKey(event.tenant, event.userId), value: JSON.stringify(event) })))
      ),
      Effect.map((identified) => ({ eventIds: identified.map((event) => event.eventId) }))
    )

  return {
    publishBuys: (scope: TenantScope, events: ReadonlyArray<BuyEvent>) => publish(Topics.buy, scope, events),
    publishActivities: (scope: TenantScope, events: ReadonlyArray<ActivityEvent>) => publish(Topics.activity, scope, events)
  }
})

/** Event ingestion over HTTP, for shops without a Kafka client: the same events, to the same topics. */
export class EventIngestion extends Context.Service<EventIngestion, Effect.Success<typeof make>>()("loyaltea/fulfillment/EventIngestion") {
  static readonly layer = Layer.effect(EventIngestion, make)
}
