import * as D from "../../../domain/decimal.ts"
import type { BuyEvent } from "../../../events/buy.ts"
import { eventKey, Topics } from "../../../events/topics.ts"
import { deadLetterForEvent } from "../../../kafka/dead-letter.ts"
import type { Consumed, Emitted } from "../../../kafka/topic-handler.ts"
import type { HeldRefund } from "./held-refunds-repo.ts"
import { type Order, orderKeyText, otherUsersOrder, refund } from "./order.ts"

export const orderRefOf = (c: Consumed<BuyEvent>) => c.event.orderId ?? c.eventId

export interface HeldApplied {
  /** The orders the held refunds changed, as they now stand. */
  readonly orders: ReadonlyArray<Order>
  /** What each purchase of the batch is judged on: what is left of it after the refunds that came first. */
  readonly judged: ReadonlyMap<string, D.Decimal>
  readonly deadLetters: ReadonlyArray<Emitted>
}

/**
 * Refunds that came before their order's first purchase are applied when it arrives, against the
 * purchases of the order in that batch, in the order the refunds arrived; the purchases are then
 * judged on what is left of them, so nothing is credited for what was returned already (and a
 * purchase refunded in full completes nothing). A held refund of another user's order, or of more
 * than was bought, goes to the dead-letter topic with the reason, as it would have on arrival.
 */
export const applyHeld = (consumed: ReadonlyArray<Consumed<BuyEvent>>, orders: ReadonlyArray<Order>, held: ReadonlyArray<HeldRefund>): HeldApplied => {
  const current = new Map(orders.map((o) => [orderKeyText(o), o]))
  const changed = new Map<string, Order>()
  const deadLetters: Array<Emitted> = []
  const firstBuyOf = new Map<string, Consumed<BuyEvent>>()
  for (const c of consumed) {
    const text = orderKeyText({ tenant: c.event.tenant, orderId: orderRefOf(c) })
    if (!firstBuyOf.has(text)) firstBuyOf.set(text, c)
  }
  for (const refundHeld of held) {
    const text = orderKeyText(refundHeld)
    const order = current.get(text)
    const cause = firstBuyOf.get(text)
    if (order === undefined || cause === undefined) continue
    const letter = (reason: string) =>
      deadLetterForEvent(Topics.refund, { key: cause.key, partition: refundHeld.partition, offset: refundHeld.offset, event: refundHeld.event }, eventKey(refundHeld.tenant, refundHeld.userId), reason)
    const next = { ...order, heldRefunds: 0 }
    if (order.userId !== refundHeld.userId) {
      deadLetters.push(letter(otherUsersOrder(refundHeld, refundHeld.userId)))
      current.set(text, next)
      changed.set(text, next)
      continue
    }
    const result = refund(next, refundHeld.amount)
    if (result.kind === "refused") deadLetters.push(letter(result.reason))
    const after = result.kind === "applied" ? result.order : next
    current.set(text, after)
    changed.set(text, after)
  }
  const judged = new Map<string, D.Decimal>()
  const fresh = new Set(consumed.map((c) => `${c.event.tenant}\u0000${c.eventId}`))
  const settled = [...changed.values()].map((order) => ({
    ...order,
    lines: order.lines.map((line) => {
      const id = `${order.tenant}\u0000${line.eventId}`
      if (!fresh.has(id)) return line
      const left = D.sub(line.amount, line.refunded)
      judged.set(id, left)
      return { ...line, judged: left }
    })
  }))
  return { orders: settled, judged, deadLetters }
}
