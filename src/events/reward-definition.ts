import { Schema } from "effect"
import { Tenant, Uuid } from "../domain/primitives.ts"
import { roundings } from "../domain/earning.ts"
import { DecimalString, EventId } from "./envelope.ts"

/**
 * A reward's earning rule as the reward service publishes it (topic `reward-definition`, keyed by
 * the reward, compacted), so the campaign service can count a round's points against a campaign's
 * budget without reading the reward service's tables. `version` grows with every change; a
 * deleted reward is published once more with `deleted: true`.
 */
export const RewardDefinitionEvent = Schema.Struct({
  tenant: Tenant,
  rewardId: Uuid,
  version: Schema.Int.check(Schema.isGreaterThan(0, { message: "must be positive" })),
  deleted: Schema.Boolean,
  kind: Schema.Literals(["fixed", "per_amount"]),
  /** `fixed`: the points of every credit. */
  points: Schema.optionalKey(DecimalString),
  /** `per_amount`: `pointsPerUnit` for every `unit` of spend, rounded as `rounding` says, at most `maxPoints`. */
  pointsPerUnit: Schema.optionalKey(DecimalString),
  unit: Schema.optionalKey(DecimalString),
  rounding: Schema.optionalKey(Schema.Literals(roundings)),
  maxPoints: Schema.optionalKey(Schema.NullOr(DecimalString)),
  eventId: EventId
}).annotate({ identifier: "RewardDefinitionEvent" })
export type RewardDefinitionEvent = typeof RewardDefinitionEvent.Type

export const rewardDefinitionEventId = (rewardId: string, version: number) => `reward-definition:${rewardId}:v${version}`
