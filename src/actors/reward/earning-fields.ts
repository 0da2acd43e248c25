import { Schema } from "effect"
import * as D from "../../domain/decimal.ts"
import { type EarnRule, roundings } from "../../domain/earning.ts"
import { PositiveDecimal } from "../../domain/primitives.ts"

const kinds = ["fixed", "per_amount"] as const

const Kind = Schema.Literals(kinds).annotate({
  description: "`fixed`: `reward_points` per completion (the default); `per_amount`: `points_per_unit` for every `unit` of the round's spend",
  examples: ["per_amount"]
})
const Rounding = Schema.Literals(roundings).annotate({
  description: "`per_amount`: `down` counts whole units only (the default), `nearest` rounds the units half up, `exact` keeps 4 decimal places",
  examples: ["down"]
})

const descriptions = {
  reward_points: "`fixed`: the points of every credit. Required for a fixed reward, refused on a per_amount one",
  points_per_unit: "`per_amount`: the points for every `unit` of spend. Required for a per_amount reward",
  unit: "`per_amount`: the spend one `points_per_unit` is earned for, e.g. 10.00. Required for a per_amount reward, greater than 0",
  max_points: "`per_amount`: at most this many points per credit; absent, no cap"
} as const

/** The earning rule's fields as the reward API speaks them (snake_case, like the original). */
export const earningFields = {
  kind: Schema.optionalKey(Kind),
  reward_points: Schema.optionalKey(PositiveDecimal(descriptions.reward_points).annotate({ examples: [100] })),
  points_per_unit: Schema.optionalKey(PositiveDecimal(descriptions.points_per_unit).annotate({ examples: [1] })),
  unit: Schema.optionalKey(PositiveDecimal(descriptions.unit).annotate({ examples: [10] })),
  rounding: Schema.optionalKey(Rounding),
  max_points: Schema.optionalKey(PositiveDecimal(descriptions.max_points).annotate({ examples: [500] }))
}

export interface EarningFields {
  readonly kind?: (typeof kinds)[number]
  readonly reward_points?: number
  readonly points_per_unit?: number
  readonly unit?: number
  readonly rounding?: (typeof roundings)[number]
  readonly max_points?: number
}

const perAmountOnly = ["points_per_unit", "unit", "rounding", "max_points"] as const

/** Each kind takes its own fields and refuses the other's, naming the field at fault. */
export const ruleOfItsKind = Schema.makeFilter<EarningFields>((fields) => {
  if ((fields.kind ?? "fixed") === "fixed") {
    const issues: Array<Schema.FilterIssue> = perAmountOnly
      .filter((field) => fields[field] !== undefined)
      .map((field) => ({ path: [field], issue: "only a per_amount reward takes it (set kind to per_amount)" }))
    if (fields.reward_points === undefined) issues.unshift({ path: ["reward_points"], issue: "required for a fixed reward" })
    return issues
  }
  return [
    ...(fields.reward_points !== undefined ? [{ path: ["reward_points"], issue: "a per_amount reward takes points_per_unit and unit instead" }] : []),
    ...(fields.points_per_unit === undefined ? [{ path: ["points_per_unit"], issue: "required for a per_amount reward" }] : []),
    ...(fields.unit === undefined ? [{ path: ["unit"], issue: "required for a per_amount reward" }] : [])
  ]
}, { expected: "the fields of the reward's kind" })

/** The rule validated fields describe; absent fields take their defaults (replace semantics). */
export const ruleOfFields = (fields: EarningFields): EarnRule =>
  (fields.kind ?? "fixed") === "fixed"
    ? { kind: "fixed", points: D.fromNumber(fields.reward_points!) }
    : {
      kind: "per_amount",
      pointsPerUnit: D.fromNumber(fields.points_per_unit!),
      unit: D.fromNumber(fields.unit!),
      rounding: fields.rounding ?? "down",
      maxPoints: fields.max_points === undefined ? null : D.fromNumber(fields.max_points)
    }

/** Every field of the rule in an answer: null where the reward's kind has none. */
export const answerFields = {
  kind: Kind,
  reward_points: Schema.NullOr(Schema.Finite).annotate({ description: `${descriptions.reward_points}; null on a per_amount reward`, examples: [100] }),
  points_per_unit: Schema.NullOr(Schema.Finite).annotate({ description: `${descriptions.points_per_unit}; null on a fixed reward`, examples: [1] }),
  unit: Schema.NullOr(Schema.Finite).annotate({ description: `${descriptions.unit}; null on a fixed reward`, examples: [10] }),
  rounding: Schema.NullOr(Rounding).annotate({ description: "`per_amount`: how the units are rounded (`down`, `nearest` or `exact`); null on a fixed reward", examples: ["down"] }),
  max_points: Schema.NullOr(Schema.Finite).annotate({ description: `${descriptions.max_points}; null without a cap and on a fixed reward`, examples: [500] })
}

const orNull = (value: D.Decimal | null) => (value === null ? null : D.toNumber(value))

export const answerOf = (rule: EarnRule) =>
  rule.kind === "fixed"
    ? { kind: rule.kind, reward_points: D.toNumber(rule.points), points_per_unit: null, unit: null, rounding: null, max_points: null }
    : {
      kind: rule.kind,
      reward_points: null,
      points_per_unit: D.toNumber(rule.pointsPerUnit),
      unit: D.toNumber(rule.unit),
      rounding: rule.rounding,
      max_points: orNull(rule.maxPoints)
    }
