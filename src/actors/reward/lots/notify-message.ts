import type { RewardNotifyEvent } from "../../../events/reward.ts"
import { eventKey, Topics } from "../../../events/topics.ts"
import type { OutgoingMessage } from "../../../kafka/producer.ts"

/** A movement on `reward-notify`, keyed by its user like every event of theirs. */
export const notifyMessage = (event: RewardNotifyEvent): OutgoingMessage => ({
  topic: Topics.rewardNotify,
  key: eventKey(event.tenant, event.userId),
  value: JSON.stringify(event)
})
