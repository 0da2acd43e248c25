import * as D from "../../../domain/decimal.ts"
import { derivedEventId } from "../../../events/event-id.ts"
import type { RewardRevokedEvent } from "../../../events/reward.ts"
import { eventKey, Topics } from "../../../events/topics.ts"
import type { Emitted } from "../../../kafka/topic-handler.ts"
import type { Revocation } from "./revoke.ts"
import type { CompletedRound } from "./round.ts"

/**
 * Takes back `points` (undefined: all of it) of the credit of one reward a completed round granted.
 * The credit is named by the id of the `reward` event the round emitted (derived from the round's
 * completing event as it was then); this event's id follows from the revocation, so re-deriving repeats it.
 */
export const rewardRevokedMessage = (revocation: Revocation, round: CompletedRound, rewardId: string, points: D.Decimal | undefined): Emitted => {
  const { event: cause } = revocation
  const event: RewardRevokedEvent = {
    tenant: cause.tenant,
    rewardId: rewardId as RewardRevokedEvent["rewardId"],
    userId: cause.userId,
    eventId: derivedEventId("reward-revoked", revocation.eventId, round.campaignId, rewardId),
    campaignId: round.campaignId as RewardRevokedEvent["campaignId"],
    causeEventId: revocation.eventId,
    rewardEventId: derivedEventId("reward", round.roundEventId, round.campaignId, rewardId),
    orderId: cause.orderId,
    occurredAt: cause.occurredAt,
    ...(points !== undefined && { points: D.toText(points) })
  }
  return { topic: Topics.rewardRevoked, key: eventKey(event.tenant, event.userId), value: JSON.stringify(event), cause: revocation.cause }
}
