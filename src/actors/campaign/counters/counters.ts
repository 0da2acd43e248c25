import * as D from "../../../domain/decimal.ts"
import {
  type CampaignsOf, compareKeys, compareText, type Completion, countingCampaigns, type FulfillmentDone, periodKeyText, type ProgressKey
} from "../progress.ts"
import { type BudgetUsage, hasBudget, limitPeriod, unused } from "../rules/limits.ts"
import { knownTotal } from "../rules/round-points.ts"

export interface PeriodRef {
  readonly key: ProgressKey
  readonly period: string
}

/**
 * The counters a batch is judged against, in the order they are locked: each user's count in the
 * period of each event, for campaigns with a per-period limit; and the campaigns with a budget.
 */
export const countersTouched = (events: ReadonlyArray<FulfillmentDone>, campaignsOf: CampaignsOf) => {
  const periods = new Map<string, PeriodRef>()
  const budgets = new Map<string, { id: string; tenant: string }>()
  for (const { campaign, event, key } of countingCampaigns(events, campaignsOf)) {
    const span = limitPeriod(campaign.limits, event.eventTime, campaign.timeZone ?? "UTC")
    if (span) periods.set(periodKeyText(key, span.key), { key, period: span.key })
    if (hasBudget(campaign.limits)) budgets.set(campaign.id, { id: campaign.id, tenant: campaign.tenant })
  }
  return {
    periods: [...periods.values()].sort((a, b) => compareKeys(a.key, b.key) || compareText(a.period, b.period)),
    budgets: [...budgets.values()].sort((a, b) => compareText(a.id, b.id))
  }
}

/** What the limits are judged against; a counter that is absent is at zero. */
export interface Counters {
  /** Each user's completions per period so far, by `periodKeyText`. */
  readonly periods?: ReadonlyMap<string, number>
  /** What each campaign's budget has used so far, by campaign id. */
  readonly budgets?: ReadonlyMap<string, BudgetUsage>
}

/** What completions add to the counters: each user's periods, and the campaigns' budgets. */
export const counterDeltas = (completions: ReadonlyArray<Completion>) => {
  const periods = new Map<string, PeriodRef & { completions: number }>()
  const budgets = new Map<string, { campaignId: string; tenant: string; usage: BudgetUsage }>()
  for (const { campaign, key, period, points } of completions) {
    if (period !== undefined) {
      const text = periodKeyText(key, period)
      periods.set(text, { key, period, completions: (periods.get(text)?.completions ?? 0) + 1 })
    }
    if (hasBudget(campaign.limits)) {
      const seen = budgets.get(campaign.id)?.usage ?? unused
      budgets.set(campaign.id, {
        campaignId: campaign.id,
        tenant: campaign.tenant,
        usage: { completions: seen.completions + 1, points: D.add(seen.points, knownTotal(points)) }
      })
    }
  }
  return { periods: [...periods.values()], budgets: [...budgets.values()] }
}
