import type { ProgramRules } from "../program/model.ts"
import { reviewTier } from "../tiers/tiers.ts"
import type { Account, Changes, Lot } from "./model.ts"
import { activate, expire, tierChanged } from "./movements.ts"

interface Due {
  readonly at: number
  /** At the same instant a lot expires before it activates: it was never spendable. */
  readonly order: 0 | 1
  readonly lot: Lot
  readonly kind: "expire" | "activate"
}

/**
 * Brings an account to `now`: every lot whose date has passed activates or expires, in the order
 * of those dates, and the tier is looked at again (both ways) when the window has slid.
 */
export const advance = (changes: Changes, account: Account, rules: ProgramRules, now: number) => {
  const due: Array<Due> = []
  for (const lot of account.lots) {
    if (lot.expired) continue
    if (lot.expiresAt !== null && lot.expiresAt <= now) due.push({ at: lot.expiresAt, order: 0, lot, kind: "expire" })
    if (lot.pending && lot.availableAt <= now) due.push({ at: lot.availableAt, order: 1, lot, kind: "activate" })
  }
  due.sort((a, b) => a.at - b.at || a.order - b.order || a.lot.lotKey.localeCompare(b.lot.lotKey))
  for (const step of due) {
    if (step.lot.expired) continue
    if (step.kind === "expire") expire(changes, account, step.lot)
    else if (step.lot.pending) activate(changes, account, step.lot)
  }
  if (account.tierReviewAt !== null && account.tierReviewAt <= now && rules.tiers.length > 0) {
    tierChanged(changes, account, reviewTier(account, now, rules, false), [account.tenant, account.userId, new Date(now).toISOString()], now)
  } else if (account.tierReviewAt !== null && rules.tiers.length === 0) {
    tierChanged(changes, account, account.tier === null ? undefined : { tier: null, previousTier: account.tier }, [account.tenant, account.userId, new Date(now).toISOString()], now)
    account.tier = null
    account.tierReviewAt = null
  }
}
