import { Schema } from "effect"
import { Tenant, UserId, Uuid } from "../domain/primitives.ts"
import { DecimalString, EventId, OccurredAt, OrderIds } from "./envelope.ts"

/** One user completed one fulfillment (topic `fulfillment`). */
export const FulfillmentEvent = Schema.Struct({
  tenant: Tenant,
  fulfillmentId: Uuid,
  userId: UserId,
  eventId: EventId,
  causeEventId: EventId,
  /** The event time of the event that completed it (absent in events from before event time). */
  occurredAt: Schema.optionalKey(OccurredAt),
  /** A buy fulfillment's spend: the purchase's amount, or the purchases' total of a cumulative goal. */
  basis: Schema.optionalKey(DecimalString),
  /** The purchases that completed it. */
  orderIds: Schema.optionalKey(OrderIds)
}).annotate({ identifier: "FulfillmentEvent" })
export type FulfillmentEvent = typeof FulfillmentEvent.Type
