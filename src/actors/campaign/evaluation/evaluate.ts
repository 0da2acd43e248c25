import * as D from "../../../domain/decimal.ts"
import {
  type CampaignRules, type CampaignsOf, type FulfillmentDone, keyText, noProgress, type Progress, runFulfillments
} from "../progress.ts"
import type { Counters } from "../counters/counters.ts"
import { roundBasisReason } from "../rules/holding-back.ts"
import { gateReasons } from "../rules/lifecycle.ts"
import { type RewardPoints, roundPoints } from "../rules/round-points.ts"
import type { WhyNot } from "../rules/why-not.ts"
import type { CampaignEvaluation, Outcome } from "./model.ts"

/** Completions to judge for one user of one tenant, at one event time. */
export interface WhatIf {
  readonly tenant: string
  readonly userId: string
  readonly at: number
  readonly fulfillments: ReadonlyArray<{ readonly fulfillmentId: string; readonly basis?: D.Decimal; readonly orderIds?: ReadonlyArray<string> }>
}

const wire = (points: ReadonlyArray<RewardPoints>) => points.map((p) => ({ rewardId: p.rewardId, points: p.points === null ? null : D.toNumber(p.points) }))

const oncePerRule = (reasons: ReadonlyArray<WhyNot>) => reasons.filter((reason, index) => reasons.findIndex((r) => r.rule === reason.rule) === index)

type Named = { readonly name: string; readonly rules: CampaignRules }

/** The completions as the fulfillment events the actor would get. */
export const whatIfEvents = (whatIf: WhatIf): Array<FulfillmentDone> =>
  whatIf.fulfillments.map((f, index) => ({
    eventId: `evaluation/${index}`,
    tenant: whatIf.tenant,
    userId: whatIf.userId,
    fulfillmentId: f.fulfillmentId.toLowerCase(),
    eventTime: whatIf.at,
    ...(f.basis !== undefined && { basis: f.basis }),
    ...(f.orderIds !== undefined && { orderIds: f.orderIds })
  }))

export const campaignsIn = (campaigns: ReadonlyArray<Named>): CampaignsOf => (tenant, fulfillmentId) =>
  campaigns.flatMap(({ rules }) => (rules.tenant === tenant && rules.fulfillments.includes(fulfillmentId) ? [rules] : []))

/**
 * What `whatIf` would do to the user in each campaign, by the same rules as the actor: the user's
 * stored progress and the limits' counters as they stand, the completions applied in order.
 */
export const evaluate = (
  campaigns: ReadonlyArray<Named>,
  whatIf: WhatIf,
  stored: ReadonlyMap<string, Progress>,
  counters: Counters
): Array<CampaignEvaluation> => {
  const run = runFulfillments(whatIfEvents(whatIf), campaignsIn(campaigns), stored, counters)
  return campaigns.map(({ name, rules }) => {
    const key = keyText({ tenant: whatIf.tenant, userId: whatIf.userId, campaignId: rules.id })
    const completions = run.completions.filter((c) => c.campaign.id === rules.id)
    const blocked = run.blocked.filter((b) => b.campaign.id === rules.id)
    const changed = run.changed.find((c) => keyText(c.key) === key)
    const round = changed?.progress ?? stored.get(key) ?? noProgress
    const outcome: Outcome = completions.length > 0 ? "completes" : blocked.length > 0 ? "blocked" : changed ? "advances" : "unchanged"
    const judged = completions.at(-1)?.round ?? round
    return {
      campaignId: rules.id,
      name,
      outcome,
      reasons: [...gateReasons(rules, whatIf.at), ...oncePerRule(blocked.map((b) => b.reason)), ...roundBasisReason(judged)],
      rewards: completions.length > 0 ? completions.flatMap((c) => wire(c.points)) : wire(roundPoints(rules.rewards, rules.earning, round.basis))
    }
  })
}
