import { Schema } from "effect"
import { Tenant, UserId, Uuid } from "../domain/primitives.ts"
import { EventId } from "./envelope.ts"

/** One user completed one fulfillment (topic `fulfillment`). */
export const FulfillmentEvent = Schema.Struct({
  tenant: Tenant,
  fulfillmentId: Uuid,
  userId: UserId,
  eventId: EventId,
  causeEventId: EventId
}).annotate({ identifier: "FulfillmentEvent" })
export type FulfillmentEvent = typeof FulfillmentEvent.Type
