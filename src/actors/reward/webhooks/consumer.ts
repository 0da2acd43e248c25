import { Effect } from "effect"
import type { Sql } from "../../../db/database.ts"
import { derivedEventId } from "../../../events/event-id.ts"
import { RewardEvent, RewardNotifyEvent } from "../../../events/reward.ts"
import { Topics } from "../../../events/topics.ts"
import { startSupervisedConsumer } from "../../../kafka/supervised-consumer.ts"
import { type Consumed, topicHandler } from "../../../kafka/topic-handler.ts"
import { enqueueDeliveries, firstEndpointTimes, type WebhookEvent } from "./outbox-repo.ts"
import type { WebhookEventType } from "./model.ts"

/**
 * The id a receiver dedupes on: derived from the source topic and the event's own id, so it is
 * the same on every attempt, every replay and every endpoint, and never shared by two events.
 */
export const webhookEventId = (topic: string, tenant: string, eventId: string) => derivedEventId("webhook", topic, tenant, eventId)

const webhookEvent = (topic: string, type: WebhookEventType, c: Consumed<{ readonly tenant: string; readonly userId: string }>): WebhookEvent => {
  const id = webhookEventId(topic, c.tenant, c.eventId)
  return {
    tenant: c.tenant,
    eventId: id,
    eventType: type,
    userId: c.event.userId,
    recordTime: c.recordTime,
    payload: JSON.stringify({ id, type, tenant: c.tenant, occurredAt: new Date(c.eventTime).toISOString(), data: c.event })
  }
}

// Both consumers share the reward service's schema with its crediting consumer: their events are
// recorded as processed under names of their own, and what does not decode is the crediting
// consumer's to dead-letter (`reward`) or dead-lettered here (`reward-notify`, which only this reads).
//
// Only events recorded after their tenant's first endpoint was created concern them: the others
// (every event of a tenant without webhooks) are neither recorded as processed nor looked at again.
const shared = {
  knownTenantsOnly: false,
  concerned: (tx: Sql, consumed: ReadonlyArray<Consumed<{ readonly tenant: string }>>) =>
    firstEndpointTimes(tx, consumed.map((c) => c.tenant)).pipe(
      Effect.map((since) => new Set(consumed.filter((c) => c.recordTime >= (since.get(c.tenant) ?? Infinity)).map((c) => c.key)))
    )
}

/** `reward-notify` → a delivery per endpoint subscribed to the movement's kind (absent: `credited`). */
export const notifyWebhooks = topicHandler({
  ...shared,
  topic: Topics.rewardNotify,
  processedAs: "webhooks:reward-notify",
  schema: RewardNotifyEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) =>
    enqueueDeliveries(tx, consumed.map((c) => webhookEvent(Topics.rewardNotify, c.event.kind ?? "credited", c))).pipe(Effect.as([]))
})

/** `reward` (a campaign completed for a member) → a `campaign-completed` delivery per subscribed endpoint. */
export const completionWebhooks = topicHandler({
  ...shared,
  topic: Topics.reward,
  processedAs: "webhooks:reward",
  deadLetters: false,
  schema: RewardEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) => enqueueDeliveries(tx, consumed.map((c) => webhookEvent(Topics.reward, "campaign-completed", c))).pipe(Effect.as([]))
})

/** The webhook feed, in a consumer group of its own: it never holds up crediting, nor crediting it. */
export const startWebhookConsumer = startSupervisedConsumer({ schema: "reward", group: "webhooks", handlers: [notifyWebhooks, completionWebhooks] })
