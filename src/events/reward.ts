import { Schema } from "effect"
import { Tenant, UserId, Uuid } from "../domain/primitives.ts"
import { EventId } from "./envelope.ts"

/** Grant one reward to one user (topic `reward`). */
export const RewardEvent = Schema.Struct({
  tenant: Tenant,
  rewardId: Uuid,
  userId: UserId,
  eventId: EventId,
  campaignId: Uuid,
  causeEventId: Schema.optionalKey(EventId)
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
