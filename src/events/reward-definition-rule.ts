import * as D from "../domain/decimal.ts"
import { type EarnRule, roundings } from "../domain/earning.ts"
import { type RewardDefinitionEvent, rewardDefinitionEventId } from "./reward-definition.ts"

/** A reward's rule as the reward service publishes it: decimals as their canonical text. */
export const definitionEvent = (
  reward: { readonly tenant: string; readonly rewardId: string; readonly version: number; readonly rule: EarnRule },
  deleted = false
): RewardDefinitionEvent => {
  const { rule } = reward
  const head = { tenant: reward.tenant as RewardDefinitionEvent["tenant"], rewardId: reward.rewardId, version: reward.version, deleted }
  const eventId = rewardDefinitionEventId(reward.rewardId, reward.version)
  return rule.kind === "fixed"
    ? { ...head, kind: "fixed", points: D.toText(rule.points), eventId }
    : {
      ...head,
      kind: "per_amount",
      pointsPerUnit: D.toText(rule.pointsPerUnit),
      unit: D.toText(rule.unit),
      rounding: rule.rounding,
      maxPoints: rule.maxPoints === null ? null : D.toText(rule.maxPoints),
      eventId
    }
}

/** A reward's rule as a definition event carries it, or as a mirror of them stores it (decimals as text). */
export interface DefinitionFields {
  readonly kind: string
  readonly points?: string | null | undefined
  readonly pointsPerUnit?: string | null | undefined
  readonly unit?: string | null | undefined
  readonly rounding?: string | null | undefined
  readonly maxPoints?: string | null | undefined
}

const decimal = (text: string | null | undefined) => (text === null || text === undefined ? undefined : D.fromText(text))

/**
 * The rule a published definition describes, for `pointsFor`; undefined when it lacks a field its
 * kind needs (such a reward counts as unknown, never as 0). Absent `rounding` is `down` and absent
 * `maxPoints` no cap, as on the reward itself.
 */
export const earnRuleOf = (fields: DefinitionFields): EarnRule | undefined => {
  if (fields.kind === "fixed") {
    const points = decimal(fields.points)
    return points === undefined ? undefined : { kind: "fixed", points }
  }
  if (fields.kind !== "per_amount") return undefined
  const pointsPerUnit = decimal(fields.pointsPerUnit)
  const unit = decimal(fields.unit)
  if (pointsPerUnit === undefined || unit === undefined || D.compare(unit, D.zero) <= 0) return undefined
  const rounding = roundings.find((r) => r === fields.rounding) ?? "down"
  return { kind: "per_amount", pointsPerUnit, unit, rounding, maxPoints: decimal(fields.maxPoints) ?? null }
}
