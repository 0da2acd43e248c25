import * as D from "../../../domain/decimal.ts"
import type { Account, Lot } from "./model.ts"

const neverExpires = Number.POSITIVE_INFINITY

/** Spendable lots in the order they are spent: first to expire first, never-expiring last, then oldest. */
export const spendingOrder = (account: Account): Array<Lot> =>
  account.lots
    .filter((lot) => !lot.pending && !lot.expired && D.compare(lot.remaining, D.zero) > 0)
    .sort((a, b) =>
      (a.expiresAt ?? neverExpires) - (b.expiresAt ?? neverExpires) || a.occurredAt - b.occurredAt || a.lotKey.localeCompare(b.lotKey)
    )

/** Takes up to `points` from the spendable lots in spending order; what it took (it never goes below a lot's zero). */
export const takeFromLots = (account: Account, points: D.Decimal, except?: Lot): D.Decimal => {
  let left = points
  for (const lot of spendingOrder(account)) {
    if (D.isZero(left)) break
    if (lot === except) continue
    const taken = D.min(left, lot.remaining)
    lot.remaining = D.sub(lot.remaining, taken)
    lot.changed = true
    left = D.sub(left, taken)
  }
  return D.sub(points, left)
}

/**
 * Points becoming spendable pay a negative balance back first: the lot keeps only what is left,
 * so a balance stays the sum of its lots' remainders once it is back above zero.
 */
export const payBackFrom = (account: Account, lot: Lot) => {
  if (!D.isNegative(account.points)) return
  const paid = D.min(lot.remaining, D.negate(account.points))
  lot.remaining = D.sub(lot.remaining, paid)
  lot.changed = true
}

/**
 * Takes `points` off the spendable balance: from the lots, then, for what they do not hold, below
 * zero when the program allows it, else not at all (the shortfall). What moved and what could not.
 */
export const debit = (account: Account, points: D.Decimal, negativeBalance: "allow" | "clamp", first?: Lot) => {
  let taken = D.zero
  if (first && !first.pending && !first.expired) {
    taken = D.min(points, first.remaining)
    first.remaining = D.sub(first.remaining, taken)
    first.changed = true
  }
  taken = D.add(taken, takeFromLots(account, D.sub(points, taken), first))
  const beyond = D.sub(points, taken)
  const moved = negativeBalance === "allow" ? points : taken
  account.points = D.sub(account.points, moved)
  return { moved, shortfall: negativeBalance === "allow" ? D.zero : beyond }
}
