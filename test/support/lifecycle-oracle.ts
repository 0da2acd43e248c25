/**
 * What a stream of purchases, refunds and redemptions must come to in the ledger, computed on its
 * own from what was sent, for the shop of `createShop`: "tea" (at least 1.00) earns 10, "bread"
 * (at least 100.00) earns 1 per 10.00 rounded down and 10 more. Amounts are kept in cents.
 */

export type Product = "tea" | "bread"
export type RewardName = "teaPoints" | "perAmount" | "fixed"

export interface SentRefund {
  readonly eventId: string
  /** Cents; none = the whole rest of the order. */
  readonly cents?: number
  readonly at: number
  /** Sent (and held) before the order's purchase. */
  readonly beforePurchase: boolean
}

export interface SentOrder {
  readonly userId: string
  readonly orderId: string
  readonly product: Product
  readonly cents: number
  readonly at: number
  readonly refunds: ReadonlyArray<SentRefund>
}

export interface ExpectedLot {
  readonly userId: string
  readonly orderId: string
  readonly reward: RewardName
  readonly points: number
  readonly reversed: number
  /** How many `reversal` entries took something of it. */
  readonly reversals: number
}

const threshold: Record<Product, number> = { tea: 100, bread: 10_000 }
const earned = (product: Product, cents: number): Partial<Record<RewardName, number>> =>
  cents < threshold[product] ? {} : product === "tea" ? { teaPoints: 10 } : { perAmount: Math.floor(cents / 1000), fixed: 10 }

/** The lots an order leaves: judged on what its held refunds left, then shrunk or taken back by each later refund. */
export const expectedLots = (order: SentOrder): Array<ExpectedLot> => {
  let left = order.cents
  const take = (refund: SentRefund) => (left = refund.cents === undefined ? 0 : left - refund.cents)
  for (const refund of order.refunds.filter((r) => r.beforePurchase)) take(refund)
  const lots = Object.entries(earned(order.product, left)).map(([reward, points]) => ({ reward: reward as RewardName, points: points!, reversed: 0, reversals: 0 }))
  for (const refund of order.refunds.filter((r) => !r.beforePurchase)) {
    take(refund)
    const now = earned(order.product, left)
    for (const lot of lots) {
      const standing = lot.points - lot.reversed
      const stands = now[lot.reward] === undefined ? 0 : lot.reward === "perAmount" ? Math.min(standing, now.perAmount!) : standing
      if (stands < standing) {
        lot.reversed += standing - stands
        lot.reversals += 1
      }
    }
  }
  return lots.map((lot) => ({ userId: order.userId, orderId: order.orderId, ...lot }))
}
