import * as D from "../../../domain/decimal.ts"
import { derivedEventId } from "../../../events/event-id.ts"
import type { FulfillmentRevokedEvent } from "../../../events/fulfillment-revoked.ts"
import type { RefundEvent } from "../../../events/refund.ts"
import { eventKey, Topics } from "../../../events/topics.ts"
import type { Consumed, Emitted } from "../../../kafka/topic-handler.ts"
import type { CompletionRecord } from "./completion-record.ts"

/**
 * What a refund did to one completion: taken back (`holds: false`) or only its spend shrunk. The
 * id follows from the refund and the completion, so re-deriving repeats it.
 */
export const revokedMessage = (
  cause: Consumed<RefundEvent>,
  record: CompletionRecord,
  verdict: { readonly holds: boolean; readonly basis: D.Decimal; readonly refundedBasis: D.Decimal }
): Emitted => {
  const event: FulfillmentRevokedEvent = {
    tenant: cause.event.tenant,
    fulfillmentId: record.fulfillmentId,
    userId: cause.event.userId,
    eventId: derivedEventId("fulfillment-revoked", cause.eventId, record.fulfillmentEventId),
    causeEventId: cause.eventId,
    fulfillmentEventId: record.fulfillmentEventId,
    orderId: cause.event.orderId,
    occurredAt: new Date(cause.eventTime).toISOString(),
    holds: verdict.holds,
    basis: D.toText(verdict.basis),
    refundedBasis: D.toText(verdict.refundedBasis)
  }
  return { topic: Topics.fulfillmentRevoked, key: eventKey(event.tenant, event.userId), value: JSON.stringify(event), cause: cause.key }
}
