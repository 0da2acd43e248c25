import * as D from "../../../domain/decimal.ts"
import { type EarnRule, pointsFor } from "../../../domain/earning.ts"

/** The points one reward of a completed round earns; null when the reward's rule is not known (yet). */
export interface RewardPoints {
  readonly rewardId: string
  readonly points: D.Decimal | null
}

/**
 * What completing a round with spend `basis` grants, reward by reward, by the rules the reward
 * service published: a round without basis (tags only) is counted on 0.
 */
export const roundPoints = (
  rewards: ReadonlyArray<string>,
  earning: ReadonlyMap<string, EarnRule> | undefined,
  basis: D.Decimal | undefined
): Array<RewardPoints> =>
  rewards.map((rewardId) => {
    const rule = earning?.get(rewardId)
    return { rewardId, points: rule ? pointsFor(rule, basis ?? D.zero) : null }
  })

export const knownTotal = (points: ReadonlyArray<RewardPoints>): D.Decimal =>
  D.sum(points.flatMap((p) => (p.points === null ? [] : [p.points])))
