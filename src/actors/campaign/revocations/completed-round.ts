import * as D from "../../../domain/decimal.ts"
import { type EarnRule, pointsFor } from "../../../domain/earning.ts"
import type { Member } from "../progress.ts"
import type { RewardPoints } from "../rules/round-points.ts"
import { replaceMember, shrunkMember } from "./member-spend.ts"
import type { CompletedRound } from "./round.ts"

/** One reward's credit to take back: `points` undefined takes back the whole credit. */
export interface Reversal {
  readonly rewardId: string
  readonly points: D.Decimal | undefined
}

export interface RoundChange {
  readonly round: CompletedRound
  readonly reversals: ReadonlyArray<Reversal>
  /** The points taken back that the campaign counted (what its budget gets back). */
  readonly taken: D.Decimal
}

/**
 * The whole round taken back, once: every reward's credit, in full when nothing of it was taken
 * back before, else what still stands of it.
 */
export const takenBack = (round: CompletedRound): RoundChange => {
  const reversals = round.standing.flatMap((standing, i): Array<Reversal> => {
    if (standing.points !== null && D.isZero(standing.points)) return []
    const counted = round.rewards[i]!.points
    const whole = standing.points === null || (counted !== null && standing.points === counted)
    return [{ rewardId: standing.rewardId, points: whole ? undefined : standing.points! }]
  })
  const taken = D.sum(round.standing.flatMap((p) => (p.points === null ? [] : [p.points])))
  const standing = round.standing.map((p) => ({ ...p, points: p.points === null ? null : D.zero }))
  return { round: { ...round, revoked: true, standing }, reversals, taken }
}

/**
 * The round counted on its member's shrunk spend: each `per_amount` reward gives back the
 * difference between what stands of it and what the round's new spend earns by its rule; fixed
 * rewards are untouched. Undefined when the spend did not shrink.
 */
export const shrunkRound = (round: CompletedRound, member: Member, basis: D.Decimal, earning: ReadonlyMap<string, EarnRule> | undefined): RoundChange | undefined => {
  const shrunk = shrunkMember(member, round.basis, basis)
  if (shrunk.member === member) return undefined
  const reversals: Array<Reversal> = []
  const standing = round.standing.map((p): RewardPoints => {
    const rule = earning?.get(p.rewardId)
    if (rule?.kind !== "per_amount") return p
    // A reward whose rule was not known when the round completed was counted by the reward service on the round's spend then.
    const stands = p.points ?? pointsFor(rule, round.basis ?? D.zero)
    const earns = pointsFor(rule, shrunk.roundBasis ?? D.zero)
    if (D.compare(earns, stands) >= 0) return p
    reversals.push({ rewardId: p.rewardId, points: D.sub(stands, earns) })
    return { ...p, points: earns }
  })
  return {
    round: { ...round, ...(shrunk.roundBasis !== undefined && { basis: shrunk.roundBasis }), members: replaceMember(round.members, shrunk.member), standing },
    reversals,
    taken: D.sum(reversals.map((r) => r.points!))
  }
}
