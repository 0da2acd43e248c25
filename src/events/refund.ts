import { Schema } from "effect"
import { Amount, Label, Tenant, UserId } from "../domain/primitives.ts"
import { IngressEventId, OccurredAt } from "./envelope.ts"

/**
 * A refund or return of (part of) an order, as shops produce it to topic `refund`. `orderId` names
 * the purchase: its `orderId`, or its event id when it had none. `amount` absent = the whole order;
 * partial refunds of one order add up, and refunding more than was bought is refused.
 */
export const RefundEvent = Schema.Struct({
  tenant: Tenant,
  userId: UserId,
  orderId: Label(200),
  amount: Schema.optionalKey(Amount.check(Schema.isGreaterThan(0, { message: "must be greater than 0" }))),
  eventId: Schema.optionalKey(IngressEventId),
  occurredAt: Schema.optionalKey(OccurredAt)
}).annotate({ identifier: "RefundEvent" })
export type RefundEvent = typeof RefundEvent.Type
