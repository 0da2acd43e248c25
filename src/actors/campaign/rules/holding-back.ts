import * as D from "../../../domain/decimal.ts"
import type { Counters } from "../counters/counters.ts"
import { type CampaignRules, periodKeyText, type Progress, type ProgressKey } from "../progress.ts"
import { gateReasons } from "./lifecycle.ts"
import { limitPeriod, limitReasons, unused } from "./limits.ts"
import { roundPoints } from "./round-points.ts"
import type { WhyNot } from "./why-not.ts"

/** How far the round is: its spend and the purchases behind it (nothing while it has no basis). */
export const roundBasisReason = (round: Progress): Array<WhyNot> => {
  if (round.basis === undefined) return []
  const orders = round.orderIds ?? []
  return [{
    rule: "round-basis",
    message: `the round's spend so far is ${D.toText(round.basis)} (${orders.length} ${orders.length === 1 ? "order" : "orders"})`,
    basis: D.toNumber(round.basis),
    orderIds: orders
  }]
}

/**
 * Everything that holds the user of `key` back in the campaign at the instant `at`: the status,
 * the window, each limit the next completion would break, and the round's basis so far.
 */
export const holdingBack = (campaign: CampaignRules, key: ProgressKey, progress: Progress, at: number, counters: Counters): Array<WhyNot> => {
  const span = limitPeriod(campaign.limits, at, campaign.timeZone ?? "UTC")
  return [
    ...gateReasons(campaign, at),
    ...limitReasons(campaign.limits, {
      completions: progress.completions,
      ...(span && { period: { span, completions: counters.periods?.get(periodKeyText(key, span.key)) ?? 0 } }),
      usage: counters.budgets?.get(campaign.id) ?? unused,
      points: roundPoints(campaign.rewards, campaign.earning, progress.basis)
    }),
    ...roundBasisReason(progress)
  ]
}
