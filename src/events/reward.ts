import { Schema } from "effect"
import { Tenant, UserId, Uuid } from "../domain/primitives.ts"
import { DecimalString, EventId, OccurredAt, OrderIds } from "./envelope.ts"

/** Grant one reward to one user (topic `reward`). */
export const RewardEvent = Schema.Struct({
  tenant: Tenant,
  rewardId: Uuid,
  userId: UserId,
  eventId: EventId,
  campaignId: Uuid,
  causeEventId: Schema.optionalKey(EventId),
  /** The event time of the round's completing event. */
  occurredAt: Schema.optionalKey(OccurredAt),
  /** The round's spend: the sum of its buy fulfillments' bases (what a `per_amount` reward is counted on). */
  basis: Schema.optionalKey(DecimalString),
  orderIds: Schema.optionalKey(OrderIds),
  /**
   * The points to credit, as the campaign service counted them against its budget (before any tier
   * multiplier). Absent in events from before: the reward service then counts them itself.
   */
  points: Schema.optionalKey(DecimalString)
}).annotate({ identifier: "RewardEvent" })
export type RewardEvent = typeof RewardEvent.Type

/** Points were credited (topic `reward-notify`), for notifications. */
export const RewardNotifyEvent = Schema.Struct({
  tenant: Tenant,
  rewardId: Uuid,
  userId: UserId,
  points: Schema.Number,
  eventId: EventId,
  balance: Schema.Number
}).annotate({ identifier: "RewardNotifyEvent" })
export type RewardNotifyEvent = typeof RewardNotifyEvent.Type
