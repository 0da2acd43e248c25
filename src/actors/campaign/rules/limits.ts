import { type Period, periodOf, type PeriodSpan } from "../../../domain/calendar.ts"
import * as D from "../../../domain/decimal.ts"
import { knownTotal, type RewardPoints } from "./round-points.ts"
import type { WhyNot } from "./why-not.ts"

/** How often a campaign may complete: per user, per user and calendar period, and in total. */
export interface Limits {
  readonly perUser?: number
  readonly perUserPerPeriod?: { readonly count: number; readonly period: Period }
  readonly budgetCompletions?: number
  readonly budgetPoints?: D.Decimal
}

/** What a campaign's budget has used. */
export interface BudgetUsage {
  readonly completions: number
  readonly points: D.Decimal
}

export const unused: BudgetUsage = { completions: 0, points: D.zero }

export const hasBudget = (limits: Limits | undefined): boolean =>
  limits?.budgetCompletions !== undefined || limits?.budgetPoints !== undefined

/** The period of the per-period limit that holds the instant `at`, in the tenant's zone (none without such a limit or a time). */
export const limitPeriod = (limits: Limits | undefined, at: number | undefined, timeZone: string): PeriodSpan | undefined =>
  limits?.perUserPerPeriod && at !== undefined ? periodOf(at, limits.perUserPerPeriod.period, timeZone) : undefined

/** Where a user and the campaign stand when a round would complete. */
export interface Standing {
  /** The user's completions of the campaign, ever. */
  readonly completions: number
  /** The user's completions in the limit's period that holds the time judged. */
  readonly period?: { readonly span: PeriodSpan; readonly completions: number }
  readonly usage: BudgetUsage
  /** What completing the round would grant. */
  readonly points: ReadonlyArray<RewardPoints>
}

const iso = (ms: number) => new Date(ms).toISOString()
const amount = (value: D.Decimal) => D.toNumber(value)

/**
 * Every limit that keeps the round from completing, in a fixed order: the first is the one a
 * blocked round reports. A budget of points is never exceeded, so a round whose points are not
 * all known cannot be counted against it and waits.
 */
export const limitReasons = (limits: Limits | undefined, standing: Standing): Array<WhyNot> => {
  if (!limits) return []
  const reasons: Array<WhyNot> = []
  const { perUser, perUserPerPeriod, budgetCompletions, budgetPoints } = limits
  if (perUser !== undefined && standing.completions >= perUser) {
    reasons.push({ rule: "per-user-limit", message: `per-user limit reached (${standing.completions}/${perUser})`, count: standing.completions, limit: perUser })
  }
  if (perUserPerPeriod && standing.period && standing.period.completions >= perUserPerPeriod.count) {
    const { span, completions } = standing.period
    reasons.push({
      rule: "per-period-limit",
      message: `limit per ${perUserPerPeriod.period} reached (${completions}/${perUserPerPeriod.count}) until ${iso(span.end)}`,
      count: completions,
      limit: perUserPerPeriod.count,
      period: perUserPerPeriod.period,
      periodStart: iso(span.start),
      periodEnd: iso(span.end)
    })
  }
  if (budgetPoints !== undefined) {
    for (const unknown of standing.points.filter((p) => p.points === null)) {
      reasons.push({ rule: "reward-unknown", message: `the points of reward ${unknown.rewardId} are not known yet, so they cannot be counted against the budget`, rewardId: unknown.rewardId })
    }
  }
  if (budgetCompletions !== undefined && standing.usage.completions >= budgetCompletions) {
    reasons.push({
      rule: "budget-completions",
      message: `budget exhausted: ${standing.usage.completions}/${budgetCompletions} completions`,
      used: standing.usage.completions,
      limit: budgetCompletions
    })
  }
  if (budgetPoints !== undefined) {
    const needed = knownTotal(standing.points)
    if (D.compare(D.add(standing.usage.points, needed), budgetPoints) > 0) {
      reasons.push({
        rule: "budget-points",
        message: `budget exhausted: ${D.toText(standing.usage.points)}/${D.toText(budgetPoints)} points used, this round needs ${D.toText(needed)}`,
        used: amount(standing.usage.points),
        limit: amount(budgetPoints),
        needed: amount(needed)
      })
    }
  }
  return reasons
}
