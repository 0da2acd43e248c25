import { Schema } from "effect"
import * as D from "../../domain/decimal.ts"
import { type EarnRule, roundings } from "../../domain/earning.ts"
import { answerOf } from "./earning-fields.ts"
import type { Reward } from "./model.ts"

const Decimal = Schema.NullOr(Schema.String)

/** A reward's rule as its row holds it, decimals as exact text (the rule is counted on them, never on floats). */
export const RuleRow = Schema.Struct({
  tenant: Schema.String,
  reward_id: Schema.String,
  kind: Schema.Literals(["fixed", "per_amount"]),
  points: Decimal,
  points_per_unit: Decimal,
  unit: Decimal,
  rounding: Schema.NullOr(Schema.Literals(roundings)),
  max_points: Decimal
})
export type RuleRow = typeof RuleRow.Type

/** A row of `reward.rewards`. */
export const RewardRow = Schema.Struct({
  ...RuleRow.fields,
  name: Schema.NullOr(Schema.String),
  version: Schema.String,
  created_at: Schema.String,
  updated_at: Schema.String
})
export type RewardRow = typeof RewardRow.Type

/** A reward as stored: its answer, its rule, and the version its last change was published under. */
export interface StoredReward {
  readonly tenant: string
  readonly rewardId: string
  readonly version: number
  readonly rule: EarnRule
  readonly answer: Reward
}

const decimal = (text: string | null) => D.fromText(text ?? "0")

// The table's checks guarantee each kind's columns are there.
export const ruleOfRow = (row: RuleRow): EarnRule =>
  row.kind === "fixed"
    ? { kind: "fixed", points: decimal(row.points) }
    : {
      kind: "per_amount",
      pointsPerUnit: decimal(row.points_per_unit),
      unit: decimal(row.unit),
      rounding: row.rounding ?? "down",
      maxPoints: row.max_points === null ? null : D.fromText(row.max_points)
    }

export const storedReward = (row: RewardRow): StoredReward => {
  const rule = ruleOfRow(row)
  return {
    tenant: row.tenant,
    rewardId: row.reward_id,
    version: Number(row.version),
    rule,
    answer: { tenant: row.tenant, reward_id: row.reward_id, name: row.name, ...answerOf(rule), created_at: row.created_at, updated_at: row.updated_at }
  }
}
