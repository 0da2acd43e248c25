import { Schema } from "effect"
import { Tenant, UserId, Uuid } from "../domain/primitives.ts"
import { DecimalString, EventId, OccurredAt } from "./envelope.ts"

/**
 * A refund took back (part of) what completed a fulfillment (topic `fulfillment-revoked`).
 * `holds: false`: the fulfillment no longer holds on what is left of the purchase, so the
 * `fulfillment` event `fulfillmentEventId` is taken back. `holds: true`: it still holds, only its
 * spend (`basis`) shrank, which matters to `per_amount` rewards alone.
 */
export const FulfillmentRevokedEvent = Schema.Struct({
  tenant: Tenant,
  fulfillmentId: Uuid,
  userId: UserId,
  eventId: EventId,
  /** The refund's event id. */
  causeEventId: EventId,
  /** The `fulfillment` event this takes back or shrinks. */
  fulfillmentEventId: EventId,
  orderId: EventId,
  /** The refund's event time. */
  occurredAt: OccurredAt,
  holds: Schema.Boolean,
  /** The fulfillment's spend left after the refund (buy fulfillments). */
  basis: Schema.optionalKey(DecimalString),
  /** The spend this refund took away from it. */
  refundedBasis: Schema.optionalKey(DecimalString)
}).annotate({ identifier: "FulfillmentRevokedEvent" })
export type FulfillmentRevokedEvent = typeof FulfillmentRevokedEvent.Type
