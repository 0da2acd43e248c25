import { Effect, Layer } from "effect"
import * as D from "../../domain/decimal.ts"
import { RewardEvent, type RewardNotifyEvent } from "../../events/reward.ts"
import { derivedEventId } from "../../events/event-id.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import { deadLetterForEvent } from "../../kafka/dead-letter.ts"
import { startProcessedEventsPruning } from "../../kafka/processed-events-pruning.ts"
import { startSupervisedConsumer } from "../../kafka/supervised-consumer.ts"
import { startTenantConsumer } from "../../tenants/tenant-consumer.ts"
import { type Emitted, topicHandler } from "../../kafka/topic-handler.ts"
import { type CreditInput, creditRewards, ruleKey, rulesOf } from "./credit-repo.ts"
import { creditDecision } from "./crediting.ts"

/**
 * `reward` → one ledger credit and balance update per event that earns points → `reward-notify`.
 * A reward the tenant does not have, or an event its rule cannot be counted on, goes to the
 * dead-letter topic with the reason; an event that earns 0 points changes and emits nothing.
 */
export const creditHandler = topicHandler({
  topic: Topics.reward,
  schema: RewardEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) =>
    Effect.gen(function*() {
      const rules = yield* rulesOf(tx, consumed.map((c) => ({ tenant: c.event.tenant, rewardId: c.event.rewardId })))
      const decisions = consumed.map((c) => creditDecision(c.event, rules.get(ruleKey(c.event.tenant, c.event.rewardId))))
      const credits = yield* creditRewards(tx, consumed.flatMap((c, index): Array<CreditInput> => {
        const decision = decisions[index]!
        if (decision.kind !== "credit") return []
        const { event } = c
        return [{
          index,
          tenant: event.tenant,
          userId: event.userId,
          rewardId: event.rewardId,
          campaignId: event.campaignId,
          eventId: c.eventId,
          points: D.toText(decision.points),
          occurredAt: new Date(c.eventTime).toISOString(),
          basis: event.basis ?? null,
          orderIds: event.orderIds ?? null
        }]
      }))
      const byIndex = new Map(credits.map((credit) => [credit.index, credit]))
      return consumed.flatMap((c, index): Array<Emitted> => {
        const key = eventKey(c.event.tenant, c.event.userId)
        const decision = decisions[index]!
        if (decision.kind === "refused") return [deadLetterForEvent(Topics.reward, c, key, decision.reason)]
        const credit = byIndex.get(index)
        if (!credit) return []
        const notify: RewardNotifyEvent = {
          kind: "credited",
          tenant: c.event.tenant,
          rewardId: c.event.rewardId,
          userId: c.event.userId,
          points: Number(credit.points),
          eventId: derivedEventId("reward-notify", c.eventId),
          balance: Number(credit.balance)
        }
        return [{ topic: Topics.rewardNotify, key, value: JSON.stringify(notify), cause: c.key }]
      })
    })
})

export const RewardActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startSupervisedConsumer({ schema: "reward", handlers: [creditHandler] })
    yield* startTenantConsumer("reward")
    yield* startProcessedEventsPruning("reward")
  })
)
