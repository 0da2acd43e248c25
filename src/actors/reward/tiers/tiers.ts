import * as D from "../../../domain/decimal.ts"
import type { RewardNotifyEvent } from "../../../events/reward.ts"
import { type Account, earnsTier } from "../lots/model.ts"
import type { ProgramRules } from "../program/model.ts"

/** Points earned inside the window that ends at `at` (credits minus their reversals); lifelong without a window. */
export const earnedAt = (account: Account, at: number, windowMs: number | null): D.Decimal =>
  windowMs === null
    ? account.earned
    : D.sum(account.lots
      .filter((lot) => earnsTier(lot) && lot.occurredAt > at - windowMs && lot.occurredAt <= at)
      .map((lot) => D.sub(lot.points, lot.reversed)))

/** The highest tier `earned` reaches, or none. */
export const tierFor = (earned: D.Decimal, rules: ProgramRules): string | null => {
  let reached: string | null = null
  for (const tier of rules.tiers) if (D.compare(earned, D.fromNumber(tier.min_points)) >= 0) reached = tier.name
  return reached
}

const rankOf = (tier: string | null, rules: ProgramRules) => rules.tiers.findIndex((t) => t.name === tier)

/** What a credit is multiplied by: its user's tier's multiplier before the credit (1 without a tier). */
export const multiplierOf = (account: Account, rules: ProgramRules): D.Decimal => {
  const tier = rules.tiers.find((t) => t.name === account.tier)
  return tier ? D.fromNumber(tier.multiplier) : D.fromInteger(1)
}

/**
 * When the window next lets go of earned points (the oldest credit inside it leaves), so the job
 * looks at the tier again then; never while there is no tier to lose or no window.
 */
export const nextReview = (account: Account, at: number, rules: ProgramRules): number | null => {
  const windowMs = rules.tierWindowMs
  if (account.tier === null || windowMs === null) return null
  const leaving = account.lots
    .filter((lot) => earnsTier(lot) && lot.occurredAt + windowMs > at && D.compare(lot.points, lot.reversed) > 0)
    .map((lot) => lot.occurredAt + windowMs)
  return leaving.length === 0 ? null : Math.min(...leaving)
}

export type TierChange = Pick<RewardNotifyEvent, "tier" | "previousTier">

/**
 * The tier as of `at`: `upgradeOnly` for a credit (an upgrade applies at once), both ways for the
 * job (a downgrade waits until the window slides). The change, when there is one.
 */
export const reviewTier = (account: Account, at: number, rules: ProgramRules, upgradeOnly: boolean): TierChange | undefined => {
  const reached = tierFor(earnedAt(account, at, rules.tierWindowMs), rules)
  const previous = account.tier
  const known = rankOf(previous, rules) >= 0 || previous === null
  const change = reached !== previous && (!upgradeOnly || !known || rankOf(reached, rules) > rankOf(previous, rules))
  if (change) account.tier = reached
  // A downgrade a credit finds due is the job's to make, now: it is not put off to a later review.
  const downgradeDue = reached !== previous && !change
  account.tierReviewAt = downgradeDue ? Math.min(account.tierReviewAt ?? at, at) : nextReview(account, at, rules)
  return change ? { tier: reached, previousTier: previous } : undefined
}
