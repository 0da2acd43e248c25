import * as D from "../../../domain/decimal.ts"

/** One purchase of an order: what was bought, what the rules judged it on, what refunds took back. */
export interface OrderLine {
  /** The `buy` event's id. */
  readonly eventId: string
  readonly product: string
  readonly amount: D.Decimal
  /** The amount the rules saw: `amount` less any refund that came before the purchase. */
  readonly judged: D.Decimal
  readonly refunded: D.Decimal
  /** Event time, ms. */
  readonly at: number
}

/** What the fulfillment service keeps of one order of a tenant. `userId` is unknown until its first purchase. */
export interface Order {
  readonly tenant: string
  readonly orderId: string
  readonly userId: string | undefined
  readonly lines: ReadonlyArray<OrderLine>
  /** Refunds waiting for the order's first purchase. */
  readonly heldRefunds: number
}

export const orderKeyText = (key: { readonly tenant: string; readonly orderId: string }) => `${key.tenant}\u0000${key.orderId}`

export const bought = (order: Order) => D.sum(order.lines.map((l) => l.amount))
export const refunded = (order: Order) => D.sum(order.lines.map((l) => l.refunded))
export const remainingOf = (line: OrderLine) => D.sub(line.amount, line.refunded)

/** Why a refund naming another user than the one who bought the order is refused. */
export const otherUsersOrder = (order: { readonly tenant: string; readonly orderId: string }, userId: string) =>
  `order ${order.orderId} was bought by another user of tenant ${order.tenant}, not by ${userId}`

export type Refunded =
  | { readonly kind: "applied"; readonly order: Order; readonly changed: ReadonlyArray<OrderLine> }
  | { readonly kind: "refused"; readonly reason: string }

/**
 * A refund of `amount` (undefined: all that is left) taken from the order's purchases, the latest
 * first (by event time, then arrival): an order's refund names no product, so the last thing bought
 * is taken to be the first returned. Partial refunds add up; one that would take back more than was
 * bought, or a refund of the rest when nothing is left, is refused with the reason, and changes nothing.
 */
export const refund = (order: Order, amount: D.Decimal | undefined): Refunded => {
  const total = bought(order)
  const before = refunded(order)
  const left = D.sub(total, before)
  const wanted = amount ?? left
  if (amount === undefined && D.isZero(left)) {
    return { kind: "refused", reason: `refunds the rest of order ${order.orderId}, but nothing is left to refund: all ${D.toText(total)} bought is refunded already` }
  }
  if (D.compare(wanted, left) > 0) {
    return {
      kind: "refused",
      reason: `refunds ${D.toText(wanted)} of order ${order.orderId}, but only ${D.toText(left)} of the ${D.toText(total)} bought is left to refund` +
        (D.isZero(before) ? "" : ` (${D.toText(before)} refunded already)`)
    }
  }
  const latestFirst = order.lines.map((line, index) => ({ line, index })).sort((a, b) => b.line.at - a.line.at || b.index - a.index)
  const lines = [...order.lines]
  const changed: Array<OrderLine> = []
  let rest = wanted
  for (const { line, index } of latestFirst) {
    if (D.isZero(rest)) break
    const take = D.min(remainingOf(line), rest)
    if (D.isZero(take)) continue
    rest = D.sub(rest, take)
    const next = { ...line, refunded: D.add(line.refunded, take) }
    lines[index] = next
    changed.push(next)
  }
  return { kind: "applied", order: { ...order, lines }, changed }
}
