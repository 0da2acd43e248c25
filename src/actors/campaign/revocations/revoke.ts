import * as D from "../../../domain/decimal.ts"
import { pointsFor } from "../../../domain/earning.ts"
import type { FulfillmentRevokedEvent } from "../../../events/fulfillment-revoked.ts"
import type { Emitted } from "../../../kafka/topic-handler.ts"
import { hasBudget } from "../rules/limits.ts"
import { type CampaignsOf, keyText, type Member, type Progress, type ProgressKey } from "../progress.ts"
import type { RewardPoints } from "../rules/round-points.ts"
import { rewardRevokedMessage } from "./revoked-message.ts"
import type { CompletedRound } from "./round.ts"

/** One `fulfillment-revoked` event to apply, and the event of the batch its effects are stored with. */
export interface Revocation {
  readonly eventId: string
  readonly event: FulfillmentRevokedEvent
  readonly cause: string
}

/** What a batch of revocations reads, and changes in place. */
export interface RevocationState {
  readonly campaignsOf: CampaignsOf
  readonly progress: Map<string, Progress>
  readonly rounds: Map<string, CompletedRound>
  /** The rounds that counted each fulfillment event, by `tenant\0eventId`. */
  readonly roundsOf: ReadonlyMap<string, ReadonlyArray<string>>
  /** The fulfillment events this service has handled, by `tenant\0eventId`. */
  readonly handled: ReadonlySet<string>
}

export interface Giveback {
  readonly key: ProgressKey
  readonly campaignId: string
  readonly tenant: string
  readonly completions: number
  readonly points: D.Decimal
  readonly period?: string
  /** Whether the campaign (still) has a budget to give back to. */
  readonly budgeted: boolean
}

export interface RevocationOutcome {
  readonly emitted: Array<Emitted>
  readonly held: Array<Revocation>
  readonly changedProgress: Map<string, { readonly key: ProgressKey; readonly progress: Progress }>
  readonly changedRounds: Set<string>
  /** What each reversal gives back to the limits: a completion (whole rounds) and points. */
  readonly givebacks: Array<Giveback>
}

export const eventRef = (tenant: string, eventId: string) => `${tenant}\u0000${eventId}`

/** The member with its spend as the revocation left it, and the round's spend with it. */
const shrunkMember = (member: Member, roundBasis: D.Decimal | undefined, basis: D.Decimal) => {
  if (!member.counted || member.basis === undefined || D.compare(basis, member.basis) >= 0) return { member, roundBasis }
  const lost = D.sub(member.basis, basis)
  return { member: { ...member, basis }, roundBasis: roundBasis === undefined ? roundBasis : D.max(D.zero, D.sub(roundBasis, lost)) }
}

/** A member taken out of an open round: its fulfillment is to be met again, its spend and orders leave with it. */
const withoutMember = (progress: Progress, member: Member): Progress => {
  const members = (progress.members ?? []).filter((m) => m.eventId !== member.eventId)
  const basis = member.counted && member.basis !== undefined && progress.basis !== undefined ? D.max(D.zero, D.sub(progress.basis, member.basis)) : progress.basis
  const leaving = new Set(member.orderIds)
  const orderIds = (progress.orderIds ?? []).filter((id) => !leaving.has(id))
  const { basis: _b, orderIds: _o, members: _m, ...rest } = progress
  return {
    ...rest,
    completed: progress.completed.filter((id) => id !== member.fulfillmentId),
    ...(basis !== undefined && { basis }),
    ...(orderIds.length > 0 && { orderIds }),
    ...(members.length > 0 && { members })
  }
}

/**
 * Revocations in the batch's order. A fulfillment event counted in a round still open is taken out
 * of it (`holds: false`: the campaign is to be met again) or only its spend shrinks. In a round that
 * completed: `holds: false` takes back every reward the round granted, in full (what still stands of
 * it), once; a shrunk spend takes back from each `per_amount` reward the difference between what
 * stands and what the round's new spend earns by the reward's rule; fixed rewards are untouched.
 * Every reversal gives back to the campaign's budget what it takes back, and a round taken back
 * whole no longer counts towards the per-user and per-period limits. A revocation of a fulfillment
 * event not handled yet is held; of one handled that no round counted, it changes nothing.
 */
export const applyRevocations = (revocations: ReadonlyArray<Revocation>, state: RevocationState): RevocationOutcome => {
  const outcome: RevocationOutcome = { emitted: [], held: [], changedProgress: new Map(), changedRounds: new Set(), givebacks: [] }
  for (const revocation of revocations) {
    const { event } = revocation
    const ref = eventRef(event.tenant, event.fulfillmentEventId)
    const roundKeys = state.roundsOf.get(ref) ?? []
    const campaigns = state.campaignsOf(event.tenant, event.fulfillmentId.toLowerCase())
    const open = campaigns.flatMap((campaign) => {
      const key = { tenant: event.tenant, userId: event.userId, campaignId: campaign.id }
      const progress = state.progress.get(keyText(key))
      const member = progress?.members?.find((m) => m.eventId === event.fulfillmentEventId)
      return progress && member ? [{ key, progress, member }] : []
    })
    if (roundKeys.length === 0 && open.length === 0) {
      if (!state.handled.has(ref)) outcome.held.push(revocation)
      continue
    }
    const newBasis = event.basis === undefined ? undefined : D.fromText(event.basis)
    for (const { key, progress, member } of open) {
      let next: Progress
      if (!event.holds) next = withoutMember(progress, member)
      else if (newBasis === undefined) continue
      else {
        const shrunk = shrunkMember(member, progress.basis, newBasis)
        if (shrunk.member === member) continue
        const { basis: _b, ...rest } = progress
        next = {
          ...rest,
          ...(shrunk.roundBasis !== undefined && { basis: shrunk.roundBasis }),
          members: (progress.members ?? []).map((m) => (m.eventId === member.eventId ? shrunk.member : m))
        }
      }
      state.progress.set(keyText(key), next)
      outcome.changedProgress.set(keyText(key), { key, progress: next })
    }
    for (const roundKey of roundKeys) {
      const round = state.rounds.get(roundKey)!
      if (round.revoked) continue
      const campaign = campaigns.find((c) => c.id === round.campaignId)
      const key = { tenant: round.tenant, userId: round.userId, campaignId: round.campaignId }
      if (!event.holds) {
        for (const [i, standing] of round.standing.entries()) {
          if (standing.points !== null && D.isZero(standing.points)) continue
          const counted = round.rewards[i]!.points
          const whole = standing.points === null || (counted !== null && standing.points === counted)
          outcome.emitted.push(rewardRevokedMessage(revocation, round, standing.rewardId, whole ? undefined : standing.points!))
        }
        const taken = D.sum(round.standing.flatMap((p) => (p.points === null ? [] : [p.points])))
        state.rounds.set(roundKey, { ...round, revoked: true, standing: round.standing.map((p) => ({ ...p, points: p.points === null ? null : D.zero })) })
        outcome.changedRounds.add(roundKey)
        outcome.givebacks.push({ key, campaignId: round.campaignId, tenant: round.tenant, completions: 1, points: taken, budgeted: hasBudget(campaign?.limits), ...(round.period !== undefined && { period: round.period }) })
        const progress = state.progress.get(keyText(key))
        if (progress && progress.completions > 0) {
          const next = { ...progress, completions: progress.completions - 1 }
          state.progress.set(keyText(key), next)
          outcome.changedProgress.set(keyText(key), { key, progress: next })
        }
        continue
      }
      const member = round.members.find((m) => m.eventId === event.fulfillmentEventId)
      if (member === undefined || newBasis === undefined) continue
      const shrunk = shrunkMember(member, round.basis, newBasis)
      if (shrunk.member === member) continue
      let taken = D.zero
      const standing = round.standing.map((p): RewardPoints => {
        const rule = campaign?.earning?.get(p.rewardId)
        if (rule?.kind !== "per_amount") return p
        // A reward whose rule was not known when the round completed was counted by the reward service on the round's spend then.
        const stands = p.points ?? pointsFor(rule, round.basis ?? D.zero)
        const earns = pointsFor(rule, shrunk.roundBasis ?? D.zero)
        if (D.compare(earns, stands) >= 0) return p
        const difference = D.sub(stands, earns)
        taken = D.add(taken, difference)
        outcome.emitted.push(rewardRevokedMessage(revocation, round, p.rewardId, difference))
        return { ...p, points: earns }
      })
      state.rounds.set(roundKey, {
        ...round,
        ...(shrunk.roundBasis !== undefined && { basis: shrunk.roundBasis }),
        members: round.members.map((m) => (m.eventId === member.eventId ? shrunk.member : m)),
        standing
      })
      outcome.changedRounds.add(roundKey)
      if (!D.isZero(taken)) outcome.givebacks.push({ key, campaignId: round.campaignId, tenant: round.tenant, completions: 0, points: taken, budgeted: hasBudget(campaign?.limits) })
    }
  }
  return outcome
}

