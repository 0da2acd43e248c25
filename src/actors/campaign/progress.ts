/**
 * The campaign rules, with no IO: how fulfillments move users through campaigns. Ids are
 * lower-case UUID text throughout (as Postgres prints them), so set membership is plain equality.
 */
import * as D from "../../domain/decimal.ts"
import type { EarnRule } from "../../domain/earning.ts"
import { counts, type Lifecycle } from "./rules/lifecycle.ts"
import type { Counters } from "./counters/counters.ts"
import { hasBudget, limitPeriod, limitReasons, type Limits, unused } from "./rules/limits.ts"
import { knownTotal, type RewardPoints, roundPoints } from "./rules/round-points.ts"
import type { WhyNot } from "./rules/why-not.ts"

/** What the actor needs of a campaign. Every optional field's absence is the behaviour from before it. */
export interface CampaignRules extends Lifecycle {
  readonly id: string
  readonly tenant: string
  readonly fulfillments: ReadonlyArray<string>
  readonly rewards: ReadonlyArray<string>
  readonly limits?: Limits
  /** The tenant's IANA zone, where its calendar periods begin (absent: UTC). */
  readonly timeZone?: string
  /** The earning rule of each of its rewards the reward service has published (absent: unknown). */
  readonly earning?: ReadonlyMap<string, EarnRule>
}

/**
 * A fulfillment event the round counts: what a refund that revokes it takes out again. `counted`:
 * whether its basis was added to the round's (one purchase meeting two fulfillments counts once);
 * `orderIds`: the orders it brought to the round first.
 */
export interface Member {
  readonly eventId: string
  readonly fulfillmentId: string
  readonly basis?: D.Decimal
  readonly counted: boolean
  readonly orderIds: ReadonlyArray<string>
}

/** One user's state in one campaign: the round in progress and the rounds completed. */
export interface Progress {
  readonly completed: ReadonlyArray<string>
  readonly completions: number
  /** The round's spend: the sum of its fulfillments' bases (absent: none carried one). */
  readonly basis?: D.Decimal
  /** The purchases behind the basis. */
  readonly orderIds?: ReadonlyArray<string>
  /** The latest event time among the round's fulfillments (ms). */
  readonly lastEventAt?: number
  /** The fulfillment events the round counts (absent in progress from before refunds, and for events without an id). */
  readonly members?: ReadonlyArray<Member>
}

export const noProgress: Progress = { completed: [], completions: 0 }

/** What a fulfillment event brings besides its fulfillment (a tag, or an event from before, brings none of it). */
export interface EventFacts {
  /** The fulfillment event's id: the round remembers it, for a refund to find. */
  readonly eventId?: string
  /** When it happened (ms): its cause's event time. Windows and periods are judged on it. */
  readonly eventTime?: number
  readonly basis?: D.Decimal
  readonly orderIds?: ReadonlyArray<string>
}

// A `reward` event names at most this many orders.
const maxOrderIds = 1000

/**
 * The round once `fulfillmentId` joined it with its basis and orders. A fulfillment met by orders
 * the round holds already (one purchase meeting two of its fulfillments) adds no spend: it is
 * one purchase, counted once.
 */
export const joinRound = (progress: Progress, fulfillmentId: string, facts: EventFacts): Progress => {
  const known = new Set(progress.orderIds ?? [])
  const fresh = [...new Set(facts.orderIds ?? [])].filter((id) => !known.has(id))
  const spentAlready = (facts.orderIds?.length ?? 0) > 0 && fresh.length === 0
  const basis = facts.basis === undefined || spentAlready ? progress.basis : D.add(progress.basis ?? D.zero, facts.basis)
  const orderIds = [...known, ...fresh].slice(0, maxOrderIds)
  const lastEventAt = facts.eventTime === undefined ? progress.lastEventAt : Math.max(progress.lastEventAt ?? facts.eventTime, facts.eventTime)
  const member: ReadonlyArray<Member> = facts.eventId === undefined ? [] : [{
    eventId: facts.eventId,
    fulfillmentId,
    ...(facts.basis !== undefined && { basis: facts.basis }),
    counted: facts.basis !== undefined && !spentAlready,
    orderIds: fresh
  }]
  const members = [...(progress.members ?? []), ...member]
  return {
    completed: [...progress.completed, fulfillmentId],
    completions: progress.completions,
    ...(basis !== undefined && { basis }),
    ...(orderIds.length > 0 && { orderIds }),
    ...(lastEventAt !== undefined && { lastEventAt }),
    ...(members.length > 0 && { members })
  }
}

export interface Step {
  readonly progress: Progress
  readonly changed: boolean
  /** The fulfillment finished the campaign: its rewards are due and the progress started over. */
  readonly completedCampaign: boolean
  /** The round is complete but `judge` holds it back: it stays complete and is judged again on the next event. */
  readonly blocked?: WhyNot
}

/** A judge that lets every complete round complete (no limits). */
const noLimits = (): WhyNot | undefined => undefined

/**
 * Set semantics: a fulfillment already done, or no (longer) part of the campaign, changes nothing.
 * Ids left in the set from an earlier version of the campaign neither count nor block completion.
 * A complete round completes unless `judge` names what holds it back; a round held back stays
 * complete, and any later fulfillment of the campaign (a repeat included) has it judged again.
 */
export const advance = (
  progress: Progress,
  campaign: CampaignRules,
  fulfillmentId: string,
  facts: EventFacts = {},
  judge: (round: Progress) => WhyNot | undefined = noLimits
): Step => {
  const unchanged: Step = { progress, changed: false, completedCampaign: false }
  if (!campaign.fulfillments.includes(fulfillmentId)) return unchanged
  const joins = !progress.completed.includes(fulfillmentId)
  const round = joins ? joinRound(progress, fulfillmentId, facts) : progress
  if (!campaign.fulfillments.every((id) => round.completed.includes(id))) {
    return joins ? { progress: round, changed: true, completedCampaign: false } : unchanged
  }
  const blocked = judge(round)
  if (blocked) return { progress: round, changed: joins, completedCampaign: false, blocked }
  return { progress: { completed: [], completions: round.completions + 1 }, changed: true, completedCampaign: true }
}

/** One user completed one fulfillment (a decoded `fulfillment` event). */
export interface FulfillmentDone extends EventFacts {
  readonly eventId: string
  readonly tenant: string
  readonly userId: string
  readonly fulfillmentId: string
}

export interface ProgressKey {
  readonly tenant: string
  readonly userId: string
  readonly campaignId: string
}

export const keyText = (key: ProgressKey) => JSON.stringify([key.tenant, key.userId, key.campaignId])

/** A user's completions of a campaign in one calendar period, by this key. */
export const periodKeyText = (key: ProgressKey, period: string) => JSON.stringify([key.tenant, key.userId, key.campaignId, period])

/** The campaigns of a tenant that contain a fulfillment. */
export type CampaignsOf = (tenant: string, fulfillmentId: string) => ReadonlyArray<CampaignRules>

export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
/** The one order progress rows (and the counters after them) are locked in. */
export const compareKeys = (a: ProgressKey, b: ProgressKey) =>
  compareText(a.tenant, b.tenant) || compareText(a.userId, b.userId) || compareText(a.campaignId, b.campaignId)

/** Each event with the campaigns that count it: active, and the event inside their window. */
export const countingCampaigns = function*(events: ReadonlyArray<FulfillmentDone>, campaignsOf: CampaignsOf) {
  for (const event of events) {
    for (const campaign of campaignsOf(event.tenant, event.fulfillmentId)) {
      if (counts(campaign, event.eventTime)) yield { event, campaign, key: { tenant: event.tenant, userId: event.userId, campaignId: campaign.id } }
    }
  }
}

/** Every (tenant, user, campaign) the events touch, once each, in a fixed order (rows are locked in it). */
export const touchedKeys = (events: ReadonlyArray<FulfillmentDone>, campaignsOf: CampaignsOf): Array<ProgressKey> => {
  const keys = new Map<string, ProgressKey>()
  for (const { key } of countingCampaigns(events, campaignsOf)) keys.set(keyText(key), key)
  return [...keys.values()].sort(compareKeys)
}

export interface Completion {
  readonly cause: FulfillmentDone
  readonly campaign: CampaignRules
  readonly key: ProgressKey
  /** The round that completed: its basis and orders. */
  readonly round: Progress
  /** What each of the campaign's rewards grants for it. */
  readonly points: ReadonlyArray<RewardPoints>
  /** The period of the campaign's per-period limit it counts in. */
  readonly period?: string
}

/** A complete round a limit held back, at the event that had it judged. */
export interface Blocked {
  readonly cause: FulfillmentDone
  readonly campaign: CampaignRules
  readonly key: ProgressKey
  readonly reason: WhyNot
}

export interface BatchResult {
  /** The progress to write back: only keys whose state changed, with their final state. */
  readonly changed: ReadonlyArray<{ readonly key: ProgressKey; readonly progress: Progress }>
  /** Every completed campaign, in event order; one event may complete several campaigns. */
  readonly completions: ReadonlyArray<Completion>
}

export interface Run extends BatchResult {
  readonly blocked: ReadonlyArray<Blocked>
}

/**
 * Applies events in order; `stored` holds the progress read from the database (absent: none
 * yet), `counters` what the limits stood at. Completions in the batch count against the limits
 * of the events after them.
 */
export const runFulfillments = (
  events: ReadonlyArray<FulfillmentDone>,
  campaignsOf: CampaignsOf,
  stored: ReadonlyMap<string, Progress>,
  counters: Counters = {}
): Run => {
  const current = new Map(stored)
  const periods = new Map(counters.periods ?? [])
  const budgets = new Map(counters.budgets ?? [])
  const changed = new Map<string, { key: ProgressKey; progress: Progress }>()
  const completions: Array<Completion> = []
  const blocked: Array<Blocked> = []
  for (const { campaign, event, key } of countingCampaigns(events, campaignsOf)) {
    const text = keyText(key)
    const span = limitPeriod(campaign.limits, event.eventTime, campaign.timeZone ?? "UTC")
    const periodText = span && periodKeyText(key, span.key)
    let granted: { round: Progress; points: ReadonlyArray<RewardPoints> } | undefined
    const judge = (round: Progress) => {
      const points = roundPoints(campaign.rewards, campaign.earning, round.basis)
      const [reason] = limitReasons(campaign.limits, {
        completions: round.completions,
        ...(span && { period: { span, completions: periods.get(periodText!) ?? 0 } }),
        usage: budgets.get(campaign.id) ?? unused,
        points
      })
      if (!reason) granted = { round, points }
      return reason
    }
    const step = advance(current.get(text) ?? noProgress, campaign, event.fulfillmentId, event, judge)
    if (step.blocked) blocked.push({ cause: event, campaign, key, reason: step.blocked })
    if (!step.changed) continue
    current.set(text, step.progress)
    changed.set(text, { key, progress: step.progress })
    if (!step.completedCampaign || !granted) continue
    completions.push({ cause: event, campaign, key, ...granted, ...(span && { period: span.key }) })
    if (periodText) periods.set(periodText, (periods.get(periodText) ?? 0) + 1)
    if (hasBudget(campaign.limits)) {
      const usage = budgets.get(campaign.id) ?? unused
      budgets.set(campaign.id, { completions: usage.completions + 1, points: D.add(usage.points, knownTotal(granted.points)) })
    }
  }
  return { changed: [...changed.values()], completions, blocked }
}

/** What a batch writes and emits (see `runFulfillments`). */
export const applyFulfillments = (
  events: ReadonlyArray<FulfillmentDone>,
  campaignsOf: CampaignsOf,
  stored: ReadonlyMap<string, Progress>,
  counters: Counters = {}
): BatchResult => {
  const { changed, completions } = runFulfillments(events, campaignsOf, stored, counters)
  return { changed, completions }
}

/** What a user has done and still has to do, in the campaign's own order. */
export const standing = (fulfillments: ReadonlyArray<string>, progress: Progress) => ({
  completed: fulfillments.filter((id) => progress.completed.includes(id)),
  missing: fulfillments.filter((id) => !progress.completed.includes(id)),
  completions: progress.completions
})
