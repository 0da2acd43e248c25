import type * as D from "../../../domain/decimal.ts"
import type { Completion, Member } from "../progress.ts"
import type { RewardPoints } from "../rules/round-points.ts"

/** A round that completed and granted its rewards: what a refund of one of its members takes back. */
export interface CompletedRound {
  readonly tenant: string
  readonly campaignId: string
  /** The fulfillment event that completed it: the cause of its `reward` events, whose ids follow from it. */
  readonly roundEventId: string
  readonly userId: string
  readonly basis?: D.Decimal
  readonly members: ReadonlyArray<Member>
  /** What each reward was counted when the round completed (null: its rule was not known). */
  readonly rewards: ReadonlyArray<RewardPoints>
  /** What still stands of each after reversals. */
  readonly standing: ReadonlyArray<RewardPoints>
  /** The period of the per-period limit it counted in. */
  readonly period?: string
  /** A refund took the whole round back. */
  readonly revoked: boolean
}

export const roundKeyText = (round: { readonly tenant: string; readonly campaignId: string; readonly roundEventId: string }) =>
  JSON.stringify([round.tenant, round.campaignId, round.roundEventId])

export const roundOf = (completion: Completion): CompletedRound => ({
  tenant: completion.key.tenant,
  campaignId: completion.campaign.id,
  roundEventId: completion.cause.eventId,
  userId: completion.key.userId,
  ...(completion.round.basis !== undefined && { basis: completion.round.basis }),
  members: completion.round.members ?? [],
  rewards: completion.points,
  standing: completion.points,
  ...(completion.period !== undefined && { period: completion.period }),
  revoked: false
})
