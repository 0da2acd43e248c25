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

/**
 * Take back (part of) a credit (topic `reward-revoked`): a refund un-did a completed round. The
 * reward service writes a `reversal` entry against the credit of `rewardEventId`, held until that
 * credit exists, and never takes back more than it credited.
 */
export const RewardRevokedEvent = Schema.Struct({
  tenant: Tenant,
  rewardId: Uuid,
  userId: UserId,
  eventId: EventId,
  campaignId: Uuid,
  /** The `fulfillment-revoked` event's id. */
  causeEventId: EventId,
  /** The `reward` event whose credit this takes back. */
  rewardEventId: EventId,
  orderId: Schema.optionalKey(EventId),
  /** The refund's event time. */
  occurredAt: OccurredAt,
  /**
   * The points to take back as the campaign service counts them (before any tier multiplier, which
   * the reward service applies as it did for the credit). Absent: the whole credit.
   */
  points: Schema.optionalKey(DecimalString)
}).annotate({ identifier: "RewardRevokedEvent" })
export type RewardRevokedEvent = typeof RewardRevokedEvent.Type

/** The movements of a balance, each one a `reward-notify` event. */
export const MovementKind = Schema.Literals(["credited", "reversed", "redeemed", "expired", "adjusted", "activated", "tier-changed", "opened"])
export type MovementKind = typeof MovementKind.Type

/**
 * A balance moved (topic `reward-notify`), for notifications and webhooks. Events from before the
 * lifecycle have no `kind`: they are credits. `points` is signed (negative for reversals,
 * redemptions, expiries); `balance` is the spendable balance after the movement.
 */
export const RewardNotifyEvent = Schema.Struct({
  tenant: Tenant,
  userId: UserId,
  eventId: EventId,
  kind: Schema.optionalKey(MovementKind),
  rewardId: Schema.optionalKey(Uuid),
  campaignId: Schema.optionalKey(Uuid),
  points: Schema.Number,
  balance: Schema.Number,
  pending: Schema.optionalKey(Schema.Number),
  tier: Schema.optionalKey(Schema.NullOr(Schema.String)),
  previousTier: Schema.optionalKey(Schema.NullOr(Schema.String)),
  /** The event, order or lot behind the movement. */
  causeEventId: Schema.optionalKey(EventId),
  orderId: Schema.optionalKey(EventId),
  lotId: Schema.optionalKey(Schema.String),
  occurredAt: Schema.optionalKey(OccurredAt)
}).annotate({ identifier: "RewardNotifyEvent" })
export type RewardNotifyEvent = typeof RewardNotifyEvent.Type
