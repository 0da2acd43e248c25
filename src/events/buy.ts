import { Schema } from "effect"
import { Amount, Label, Tenant, Text, UserId, WellFormedString } from "../domain/primitives.ts"
import { IngressEventId, OccurredAt } from "./envelope.ts"

/** A purchase, as shops have always produced it to topic `buy`. */
export const BuyEvent = Schema.Struct({
  tenant: Tenant,
  product: Text(200, 0),
  amount: Amount,
  userId: UserId,
  eventId: Schema.optionalKey(IngressEventId),
  occurredAt: Schema.optionalKey(OccurredAt),
  orderId: Schema.optionalKey(Label(200)),
  currency: Schema.optionalKey(WellFormedString.check(Schema.isPattern(/^[A-Z]{3}$/, { message: "must be an ISO 4217 code such as EUR" })))
}).annotate({ identifier: "BuyEvent" })
export type BuyEvent = typeof BuyEvent.Type
