import { Effect, Layer } from "effect"
import type { Sql } from "../../db/database.ts"
import * as D from "../../domain/decimal.ts"
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
import { addBudgetUsage, lockBudgets } from "./counters/budget-repo.ts"
import { addPeriodCounts, lockPeriodCounts } from "./counters/period-repo.ts"
import { counterDeltas, countersTouched } from "./counters/counters.ts"
import { type CampaignsOf, type Completion, type FulfillmentDone, runFulfillments, touchedKeys } from "./progress.ts"
import { lockProgress, saveProgress } from "./progress-repo.ts"
import { startBackfillRunner } from "./backfill/runner.ts"
import { startRewardDefinitionConsumer } from "./reward-definitions/consumer.ts"
import { revocationHandler } from "./revocations/handler.ts"
import { lockUsers, takeHeld } from "./revocations/held-repo.ts"
import { withHeldRevocations } from "./revocations/held-first.ts"
import { roundOf } from "./revocations/round.ts"
import { recordRounds } from "./revocations/rounds-repo.ts"

/**
 * One `reward` event per reward of a completed round; the ids follow from the cause, so
 * re-deriving repeats them. They carry the round's basis and orders, the points counted for the
 * reward (when its rule is known), and the cause's event time when the cause stated one.
 */
export const rewardMessages = (cause: Consumed<FulfillmentEvent>, completion: Completion): Array<Emitted> =>
  completion.points.map(({ points, rewardId }) => {
    const { tenant, userId } = cause.event
    const { round, campaign } = completion
    const event: RewardEvent = {
      tenant,
      rewardId,
      userId,
      eventId: derivedEventId("reward", cause.eventId, campaign.id, rewardId),
      campaignId: campaign.id,
      causeEventId: cause.eventId,
      ...(cause.event.occurredAt !== undefined && { occurredAt: new Date(cause.eventTime).toISOString() }),
      ...(round.basis !== undefined && { basis: D.toText(round.basis) }),
      ...(round.orderIds !== undefined && { orderIds: round.orderIds }),
      ...(points !== null && { points: D.toText(points) })
    }
    return { topic: Topics.reward, key: eventKey(tenant, userId), value: JSON.stringify(event), cause: cause.key }
  })

export const doneOf = (c: Consumed<FulfillmentEvent>): FulfillmentDone => ({
  eventId: c.eventId,
  tenant: c.event.tenant,
  userId: c.event.userId,
  fulfillmentId: c.event.fulfillmentId.toLowerCase(),
  eventTime: c.eventTime,
  ...(c.event.basis !== undefined && { basis: D.fromText(c.event.basis) }),
  ...(c.event.orderIds !== undefined && { orderIds: c.event.orderIds })
})

/**
 * A batch in five statements when its campaigns have no limits: a lock per user (shared with the
 * revocations), the rules of the batch's tenants (reloaded only where they changed), the touched
 * progress rows locked in key order, one upsert of what changed, and the revocations held for the
 * batch's events (taken first: they change what the events count for). Limits add their counters, locked after the progress rows in a fixed order (each
 * user's periods, then the campaigns' budgets) and updated in the same transaction; completed
 * rounds are recorded (one statement) for refunds to find.
 */
const advanceCampaigns = (tx: Sql, consumed: ReadonlyArray<Consumed<FulfillmentEvent>>) =>
  Effect.gen(function*() {
    yield* lockUsers(tx, consumed.map((c) => c.event))
    // Revocations that came before their fulfillment event are applied as it is judged.
    const held = yield* takeHeld(tx, consumed.map((c) => ({ tenant: c.event.tenant, eventId: c.eventId })))
    return yield* advanceRounds(tx, withHeldRevocations(consumed, held))
  })

/** The batch's events moved through their campaigns' rounds. */
const advanceRounds = (tx: Sql, consumed: ReadonlyArray<Consumed<FulfillmentEvent>>) =>
  Effect.gen(function*() {
    const events = consumed.map(doneOf)
    const index = yield* CampaignIndex
    const campaignsOf = yield* index.campaignsOf(tx, events.map((e) => e.tenant))
    return (yield* moveThroughRounds(tx, consumed, events, campaignsOf)).messages
  })

/**
 * `events` (the `consumed` ones, as `doneOf` reads them) moved through the rounds of the
 * campaigns `campaignsOf` names, with the locks in their fixed order (progress, periods, budgets),
 * the counters and the completed rounds written: the completions and their `reward` messages.
 * The live consumer passes every campaign of the tenants; a backfill passes its one campaign.
 */
export const moveThroughRounds = (tx: Sql, consumed: ReadonlyArray<Consumed<FulfillmentEvent>>, events: ReadonlyArray<FulfillmentDone>, campaignsOf: CampaignsOf) =>
  Effect.gen(function*() {
    const keys = touchedKeys(events, campaignsOf)
    if (keys.length === 0) return { completions: [], messages: [] }
    const stored = yield* lockProgress(tx, keys)
    const touched = countersTouched(events, campaignsOf)
    const periods = yield* lockPeriodCounts(tx, touched.periods)
    const budgets = yield* lockBudgets(tx, touched.budgets)
    const result = runFulfillments(events, campaignsOf, stored, { periods, budgets })
    yield* saveProgress(tx, result.changed)
    const added = counterDeltas(result.completions)
    yield* addPeriodCounts(tx, added.periods)
    yield* addBudgetUsage(tx, added.budgets)
    yield* recordRounds(tx, result.completions.map(roundOf))
    const causes = new Map(consumed.map((c) => [keyOf(c), c]))
    return { completions: result.completions, messages: result.completions.flatMap((completion) => rewardMessages(causes.get(keyOf(completion.cause))!, completion)) }
  })

/**
 * `fulfillment` → every campaign of the tenant that contains it and counts it (active, the event
 * inside its window) advances; a completed round emits its rewards (stored with the event, in the
 * same transaction) and starts over, unless a limit holds it back. A fulfillment in no campaign
 * changes nothing and is not dead-lettered: fulfillments exist apart from campaigns.
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
    yield* startSupervisedConsumer({ schema: "campaign", handlers: [progressHandler, revocationHandler] })
    yield* startTenantConsumer("campaign")
    yield* startRewardDefinitionConsumer
    yield* startProcessedEventsPruning("campaign")
    yield* startBackfillRunner
  })
).pipe(Layer.provide(CampaignIndex.layer))
