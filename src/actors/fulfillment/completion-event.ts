import type { FulfillmentEvent } from "../../events/fulfillment.ts"
import { derivedEventId } from "../../events/event-id.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import type { Consumed, Emitted } from "../../kafka/topic-handler.ts"
import { reportedSpend } from "./completion.ts"
import type { Contribution } from "./goals/accumulator.ts"
import type { Rule } from "./rule.ts"

/** The id of the `fulfillment` event a cause completes a rule with: re-deriving repeats it. */
export const fulfillmentEventId = (causeEventId: string, ruleId: string) => derivedEventId("fulfillment", causeEventId, ruleId)

export type UserEvent = { readonly tenant: FulfillmentEvent["tenant"]; readonly userId: FulfillmentEvent["userId"] }

/**
 * One user completed one fulfillment; the id is derived from the cause (the event that completed
 * it), so re-deriving repeats it. A buy fulfillment reports the purchases it used: their amounts
 * summed as `basis`, their order ids (else event ids) as `orderIds`.
 */
export const fulfillmentEventOf = (cause: Consumed<UserEvent>, rule: Rule, used: ReadonlyArray<Contribution>): FulfillmentEvent => ({
  tenant: cause.event.tenant,
  fulfillmentId: rule.id,
  userId: cause.event.userId,
  eventId: fulfillmentEventId(cause.eventId, rule.id),
  causeEventId: cause.eventId,
  occurredAt: new Date(cause.eventTime).toISOString(),
  ...reportedSpend(rule, used)
})

export const fulfillmentMessage = (cause: Consumed<UserEvent>, rule: Rule, used: ReadonlyArray<Contribution>): Emitted => {
  const event = fulfillmentEventOf(cause, rule, used)
  return { topic: Topics.fulfillment, key: eventKey(event.tenant, event.userId), value: JSON.stringify(event), cause: cause.key }
}

