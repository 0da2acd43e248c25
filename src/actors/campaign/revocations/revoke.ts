import * as D from "../../../domain/decimal.ts"
import type { FulfillmentRevokedEvent } from "../../../events/fulfillment-revoked.ts"
import type { Emitted } from "../../../kafka/topic-handler.ts"
import { hasBudget } from "../rules/limits.ts"
import { type CampaignsOf, keyText, type Progress, type ProgressKey } from "../progress.ts"
import { shrunkRound, takenBack } from "./completed-round.ts"
import { revokedInOpenRound } from "./member-spend.ts"
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
    const basis = event.basis === undefined ? undefined : D.fromText(event.basis)
    for (const { key, progress, member } of open) {
      const next = revokedInOpenRound(progress, member, event.holds, basis)
      if (next === undefined) continue
      state.progress.set(keyText(key), next)
      outcome.changedProgress.set(keyText(key), { key, progress: next })
    }
    for (const roundKey of roundKeys) {
      const round = state.rounds.get(roundKey)!
      if (round.revoked) continue
      const campaign = campaigns.find((c) => c.id === round.campaignId)
      const member = round.members.find((m) => m.eventId === event.fulfillmentEventId)
      const change = !event.holds ? takenBack(round) : member && basis !== undefined ? shrunkRound(round, member, basis, campaign?.earning) : undefined
      if (change === undefined) continue
      state.rounds.set(roundKey, change.round)
      outcome.changedRounds.add(roundKey)
      for (const reversal of change.reversals) outcome.emitted.push(rewardRevokedMessage(revocation, round, reversal.rewardId, reversal.points))
      const key = { tenant: round.tenant, userId: round.userId, campaignId: round.campaignId }
      const whole = change.round.revoked
      if (whole || !D.isZero(change.taken)) {
        outcome.givebacks.push({
          key, campaignId: round.campaignId, tenant: round.tenant, completions: whole ? 1 : 0, points: change.taken, budgeted: hasBudget(campaign?.limits),
          ...(whole && round.period !== undefined && { period: round.period })
        })
      }
      // A round taken back whole no longer counts as a completion of the user's.
      const progress = state.progress.get(keyText(key))
      if (whole && progress && progress.completions > 0) {
        const next = { ...progress, completions: progress.completions - 1 }
        state.progress.set(keyText(key), next)
        outcome.changedProgress.set(keyText(key), { key, progress: next })
      }
    }
  }
  return outcome
}

