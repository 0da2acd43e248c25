import * as D from "../../../domain/decimal.ts"
import type { FulfillmentEvent } from "../../../events/fulfillment.ts"
import type { Consumed } from "../../../kafka/topic-handler.ts"
import type { HeldRevocation } from "./held-repo.ts"
import { eventRef } from "./revoke.ts"

/**
 * Fulfillment events judged with the revocations that came before them: one a refund no longer
 * supports (`holds: false`) advances nothing, as if it had never come; one whose spend shrank counts
 * with the smallest spend left. Nothing is credited that would only be taken back at once.
 */
export const withHeldRevocations = (consumed: ReadonlyArray<Consumed<FulfillmentEvent>>, held: ReadonlyArray<HeldRevocation>) => {
  if (held.length === 0) return consumed
  const byEvent = new Map<string, Array<HeldRevocation>>()
  for (const h of held) {
    const ref = eventRef(h.event.tenant, h.event.fulfillmentEventId)
    byEvent.set(ref, [...(byEvent.get(ref) ?? []), h])
  }
  return consumed.flatMap((c) => {
    const revocations = byEvent.get(eventRef(c.event.tenant, c.eventId))
    if (revocations === undefined) return [c]
    if (revocations.some((r) => !r.event.holds)) return []
    const bases = revocations.flatMap((r) => (r.event.basis === undefined ? [] : [D.fromText(r.event.basis)]))
    if (bases.length === 0 || c.event.basis === undefined) return [c]
    const basis = bases.reduce((a, b) => D.min(a, b), D.fromText(c.event.basis))
    return [{ ...c, event: { ...c.event, basis: D.toText(basis) } }]
  })
}
