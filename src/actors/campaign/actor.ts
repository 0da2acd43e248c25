import { Effect, Layer } from "effect"
import type { Sql } from "../../db/database.ts"
import { derivedEventId } from "../../events/event-id.ts"
import { FulfillmentEvent } from "../../events/fulfillment.ts"
import type { RewardEvent } from "../../events/reward.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import { keyOf } from "../../kafka/processed-events.ts"
import { startProcessedEventsPruning } from "../../kafka/processed-events-pruning.ts"
import { startSupervisedConsumer } from "../../kafka/supervised-consumer.ts"
import { startTenantConsumer } from "../../tenants/tenant-consumer.ts"
import { type Consumed, type Emitted, topicHandler } from "../../kafka/topic-handler.ts"
import { CampaignIndex } from "./campaign-index.ts"
import { applyFulfillments, type CampaignRules, type FulfillmentDone, touchedKeys } from "./progress.ts"
import { lockProgress, saveProgress } from "./progress-repo.ts"

/** One `reward` event per reward of a completed campaign; the ids follow from the cause, so re-deriving repeats them. */
const rewardMessages = (cause: Consumed<FulfillmentEvent>, campaign: CampaignRules): Array<Emitted> =>
  campaign.rewards.map((rewardId) => {
    const { tenant, userId } = cause.event
    const event: RewardEvent = {
      tenant,
      rewardId,
      userId,
      eventId: derivedEventId("reward", cause.eventId, campaign.id, rewardId),
      campaignId: campaign.id,
      causeEventId: cause.eventId
    }
    return { topic: Topics.reward, key: eventKey(tenant, userId), value: JSON.stringify(event), cause: cause.key }
  })

/**
 * A batch in three statements: the rules of the batch's tenants (reloaded only where they
 * changed), the touched progress rows locked in key order, and one upsert of what changed.
 */
const advanceCampaigns = (tx: Sql, consumed: ReadonlyArray<Consumed<FulfillmentEvent>>) =>
  Effect.gen(function*() {
    const events: Array<FulfillmentDone> = consumed.map((c) => ({
      eventId: c.eventId,
      tenant: c.event.tenant,
      userId: c.event.userId,
      fulfillmentId: c.event.fulfillmentId.toLowerCase()
    }))
    const index = yield* CampaignIndex
    const campaignsOf = yield* index.campaignsOf(tx, events.map((e) => e.tenant))
    const keys = touchedKeys(events, campaignsOf)
    if (keys.length === 0) return []
    const stored = yield* lockProgress(tx, keys)
    const result = applyFulfillments(events, campaignsOf, stored)
    yield* saveProgress(tx, result.changed)
    const causes = new Map(consumed.map((c) => [keyOf(c), c]))
    return result.completions.flatMap(({ campaign, cause }) => rewardMessages(causes.get(keyOf(cause))!, campaign))
  })

/**
 * `fulfillment` → every campaign of the tenant that contains it advances; a completed campaign
 * emits its rewards (stored with the event, in the same transaction) and starts over. A fulfillment
 * in no campaign changes nothing and is not dead-lettered: fulfillments exist apart from campaigns.
 */
export const progressHandler = topicHandler({
  topic: Topics.fulfillment,
  schema: FulfillmentEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: advanceCampaigns
})

export const CampaignActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startSupervisedConsumer({ schema: "campaign", handlers: [progressHandler] })
    yield* startTenantConsumer("campaign")
    yield* startProcessedEventsPruning("campaign")
  })
).pipe(Layer.provide(CampaignIndex.layer))
