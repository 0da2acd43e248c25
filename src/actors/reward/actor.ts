import { Effect, Layer } from "effect"
import { RewardEvent, type RewardNotifyEvent } from "../../events/reward.ts"
import { derivedEventId } from "../../events/event-id.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import { deadLetterForEvent } from "../../kafka/dead-letter.ts"
import { startProcessedEventsPruning } from "../../kafka/processed-events-pruning.ts"
import { startSupervisedConsumer } from "../../kafka/supervised-consumer.ts"
import { startTenantConsumer } from "../../tenants/tenant-consumer.ts"
import { type Emitted, topicHandler } from "../../kafka/topic-handler.ts"
import { creditRewards } from "./credit-repo.ts"

/**
 * `reward` → one ledger credit and balance update per event → `reward-notify`. A reward the
 * tenant does not have goes to the dead-letter topic with that reason.
 */
export const creditHandler = topicHandler({
  topic: Topics.reward,
  schema: RewardEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) =>
    creditRewards(tx, consumed.map((c) => c.event)).pipe(
      Effect.map((credits) => {
        const byIndex = new Map(credits.map((credit) => [credit.index, credit]))
        return consumed.map((c, index): Emitted => {
          const key = eventKey(c.event.tenant, c.event.userId)
          const credit = byIndex.get(index)
          if (!credit) return deadLetterForEvent(Topics.reward, c, key, `tenant ${c.event.tenant} has no reward ${c.event.rewardId}`)
          const notify: RewardNotifyEvent = {
            tenant: c.event.tenant,
            rewardId: c.event.rewardId,
            userId: c.event.userId,
            points: Number(credit.points),
            eventId: derivedEventId("reward-notify", c.eventId),
            balance: Number(credit.balance)
          }
          return { topic: Topics.rewardNotify, key, value: JSON.stringify(notify), cause: c.key }
        })
      })
    )
})

export const RewardActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startSupervisedConsumer({ schema: "reward", handlers: [creditHandler] })
    yield* startTenantConsumer("reward")
    yield* startProcessedEventsPruning("reward")
  })
)
