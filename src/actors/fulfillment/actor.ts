import { Effect, Layer } from "effect"
import type { Sql } from "../../db/database.ts"
import { ActivityEvent } from "../../events/activity.ts"
import { BuyEvent } from "../../events/buy.ts"
import { derivedEventId } from "../../events/event-id.ts"
import type { FulfillmentEvent } from "../../events/fulfillment.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import { startProcessedEventsPruning } from "../../kafka/processed-events-pruning.ts"
import { startSupervisedConsumer } from "../../kafka/supervised-consumer.ts"
import { startTenantConsumer } from "../../tenants/tenant-consumer.ts"
import { type Consumed, topicHandler, type Emitted } from "../../kafka/topic-handler.ts"
import { emptyIndex, matchBuy, matchTag, type TenantIndex } from "./matching.ts"
import { RulesIndex } from "./rules-index.ts"

type UserEvent = { readonly tenant: FulfillmentEvent["tenant"]; readonly userId: FulfillmentEvent["userId"] }

/** One user completed one fulfillment; the id is derived from the cause, so re-deriving repeats it. */
export const fulfillmentMessage = (cause: Consumed<UserEvent>, fulfillmentId: string): Emitted => {
  const event: FulfillmentEvent = {
    tenant: cause.event.tenant,
    fulfillmentId,
    userId: cause.event.userId,
    eventId: derivedEventId("fulfillment", cause.eventId, fulfillmentId),
    causeEventId: cause.eventId
  }
  return { topic: Topics.fulfillment, key: eventKey(event.tenant, event.userId), value: JSON.stringify(event), cause: cause.key }
}

/** Looks up the batch's tenants once, then matches every event in memory. */
const matchAll = <A extends UserEvent>(match: (index: TenantIndex, event: A) => ReadonlyArray<string>) =>
  (tx: Sql, consumed: ReadonlyArray<Consumed<A>>) =>
    RulesIndex.use((rules) => rules.forTenants(tx, consumed.map((c) => c.event.tenant))).pipe(
      Effect.map((indexes) =>
        consumed.flatMap((c) => match(indexes.get(c.event.tenant) ?? emptyIndex, c.event).map((id) => fulfillmentMessage(c, id)))
      )
    )

/** `buy` → one `fulfillment` event per buy fulfillment of the tenant the purchase reaches. */
export const buyHandler = topicHandler({
  topic: Topics.buy,
  schema: BuyEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: matchAll<BuyEvent>(matchBuy)
})

/** `activity` → one `fulfillment` event per tag fulfillment of the tenant with the activity's tag. */
export const activityHandler = topicHandler({
  topic: Topics.activity,
  schema: ActivityEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: matchAll<ActivityEvent>(matchTag)
})

export const FulfillmentActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startSupervisedConsumer({ schema: "fulfillment", handlers: [buyHandler, activityHandler] })
    yield* startTenantConsumer("fulfillment")
    yield* startProcessedEventsPruning("fulfillment")
  })
).pipe(Layer.provide(RulesIndex.layer))
