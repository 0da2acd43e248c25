import { FulfillmentRevokedEvent } from "../../../events/fulfillment-revoked.ts"
import { Topics } from "../../../events/topics.ts"
import { topicHandler } from "../../../kafka/topic-handler.ts"
import { applyRevocationsIn } from "./apply-in.ts"

/**
 * `fulfillment-revoked` → the fulfillment event leaves the round it is in, or the completed round
 * it counted in gives back its rewards (`reward-revoked`), as far as the refund reaches.
 */
export const revocationHandler = topicHandler({
  topic: Topics.fulfillmentRevoked,
  schema: FulfillmentRevokedEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) => applyRevocationsIn(tx, consumed.map((c) => ({ eventId: c.eventId, event: c.event, cause: c.key })))
})
