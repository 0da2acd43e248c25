import * as D from "../domain/decimal.ts"
import type { EarnRule } from "../domain/earning.ts"
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

/**
 * The rule a definition event describes, for `pointsFor`; undefined when the event lacks a field
 * its kind needs (the reward service always sends them all). Absent `rounding` is `down` and
 * absent `maxPoints` no cap, as on the reward itself.
 */
export const earnRuleOf = (event: RewardDefinitionEvent): EarnRule | undefined => {
  if (event.kind === "fixed") return event.points === undefined ? undefined : { kind: "fixed", points: D.fromText(event.points) }
  if (event.pointsPerUnit === undefined || event.unit === undefined || D.fromText(event.unit) <= 0n) return undefined
  return {
    kind: "per_amount",
    pointsPerUnit: D.fromText(event.pointsPerUnit),
    unit: D.fromText(event.unit),
    rounding: event.rounding ?? "down",
    maxPoints: event.maxPoints === undefined || event.maxPoints === null ? null : D.fromText(event.maxPoints)
  }
}
