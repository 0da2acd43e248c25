import { describe, expect, test } from "bun:test"
import type { HeldRevocation } from "../../src/actors/campaign/revocations/held-repo.ts"
import { withHeldRevocations } from "../../src/actors/campaign/revocations/held-first.ts"
import type { FulfillmentEvent } from "../../src/events/fulfillment.ts"
import type { FulfillmentRevokedEvent } from "../../src/events/fulfillment-revoked.ts"
import { consumedOf } from "../support/messages.ts"

const fulfillment = (tenant: string, eventId: string, basis?: string) =>
  consumedOf({ tenant, fulfillmentId: "f", userId: "ada", eventId, causeEventId: "buy", ...(basis !== undefined && { basis }) } as unknown as FulfillmentEvent, eventId, 0)
const held = (tenant: string, fulfillmentEventId: string, holds: boolean, basis: string): HeldRevocation => ({
  eventId: `${fulfillmentEventId}-${basis}`,
  event: { tenant, fulfillmentId: "f", userId: "ada", eventId: "x", causeEventId: "r", fulfillmentEventId, orderId: "o", occurredAt: "2026-03-01T00:00:00Z", holds, basis } as unknown as FulfillmentRevokedEvent
})

describe("fulfillment events judged with the revocations that came before them", () => {
  test("one no longer holding advances nothing; one shrunk counts with the smallest spend left; others, and other tenants', are untouched", () => {
    const events = [fulfillment("t", "a", "150"), fulfillment("t", "b", "150"), fulfillment("t", "c", "80"), fulfillment("u", "a", "150")]
    const judged = withHeldRevocations(events, [held("t", "a", false, "0"), held("t", "b", true, "120"), held("t", "b", true, "90")])
    expect(judged.map((c) => [c.event.tenant, c.eventId, c.event.basis])).toEqual([["t", "b", "90"], ["t", "c", "80"], ["u", "a", "150"]])
  })
})
