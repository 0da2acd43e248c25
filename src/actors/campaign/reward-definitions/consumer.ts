import { Effect } from "effect"
import { RewardDefinitionEvent } from "../../../events/reward-definition.ts"
import { Topics } from "../../../events/topics.ts"
import { startSupervisedConsumer } from "../../../kafka/supervised-consumer.ts"
import { topicHandler } from "../../../kafka/topic-handler.ts"
import { upsertRewardDefinitions } from "./mirror-repo.ts"

/** `reward-definition` → the campaign service's copy of the rewards' earning rules; it emits nothing. */
export const rewardDefinitionHandler = topicHandler({
  topic: Topics.rewardDefinition,
  schema: RewardDefinitionEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  handle: (tx, consumed) => upsertRewardDefinitions(tx, consumed.map((c) => c.event)).pipe(Effect.as([]))
})

/**
 * Keeps `campaign.reward_definitions` in step with the topic, in a group of its own (as the
 * tenants' copy is kept): its batches never wait behind the progress batches.
 */
export const startRewardDefinitionConsumer = startSupervisedConsumer({
  schema: "campaign",
  group: "reward-definitions",
  members: 1,
  handlers: [rewardDefinitionHandler]
})
