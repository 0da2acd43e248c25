import { opaqueToJsonSchema } from "../../../domain/primitives.ts"
import { Schema } from "effect"
import { periods } from "../../../domain/calendar.ts"
import { fromNumber } from "../../../domain/decimal.ts"
import { parseWindow } from "../../../domain/iso-duration.ts"
import { maxKept } from "./accumulator.ts"

// Descriptions and examples sit on the base schema: the JSON Schema keeps them there, and drops
// what is annotated after a custom check.

const hasAtMostFourPlaces = (value: number) => {
  try {
    fromNumber(value)
    return true
  } catch {
    return false
  }
}

export const GoalCount = Schema.Number.annotate({
  description: `How many qualifying events complete the fulfillment once (default 1: each one does). At most ${maxKept}.`,
  examples: [3]
}).check(
  Schema.isInt({ message: "must be a whole number" }),
  Schema.isBetween({ minimum: 1, maximum: maxKept }, { message: `must be between 1 and ${maxKept}` })
)

export const GoalTotal = Schema.Finite.annotate({
  description: "The qualifying purchases' amounts must add up to at least this (a decimal > 0 with at most 4 places); each purchase still needs `amount` (0: any)",
  examples: [500]
}).check(
  Schema.makeFilter((value: number) => hasAtMostFourPlaces(value) || "must be a decimal with at most 4 places", opaqueToJsonSchema),
  Schema.isGreaterThan(0, { message: "must be greater than 0" }),
  Schema.isLessThanOrEqualTo(100_000_000_000, { message: "must be at most 100000000000" })
)

export const GoalWithin = Schema.String.annotate({
  description: "A rolling window as an ISO-8601 duration of weeks, days, hours, minutes or seconds (`P7D`, `PT12H`): the events must lie within it. Not with `period`.",
  examples: ["P7D"]
}).check(Schema.makeFilter((text: string) => {
  // As every text an input carries (see WellFormedString), checked here to keep the annotations above.
  if (!text.isWellFormed()) return "must be well-formed Unicode (no lone surrogates)"
  const parsed = parseWindow(text)
  return "error" in parsed ? parsed.error : true
}, opaqueToJsonSchema))

export const GoalPeriod = Schema.Literals(periods).annotate({
  description: "A calendar day, week (from Monday) or month in the tenant's time zone: the events must lie in one. Not with `within`.",
  examples: ["month"]
})

/** The optional goal of a tag fulfillment ("review 3 products this month"). */
export const tagGoalFields = {
  count: Schema.optionalKey(GoalCount),
  within: Schema.optionalKey(GoalWithin),
  period: Schema.optionalKey(GoalPeriod)
}

/** The optional goal of a buy fulfillment ("bread 3 times within 7 days", "spend 500 this month"). */
export const buyGoalFields = { ...tagGoalFields, total: Schema.optionalKey(GoalTotal) }

/** A window is rolling or calendar, never both: the request is refused naming `period`. */
export const oneWindow = Schema.makeFilter((input: { readonly within?: string; readonly period?: string }) =>
  input.within === undefined || input.period === undefined
    ? true
    : { path: ["period"], issue: "give either within (a rolling window) or period (a calendar one), not both" },
  opaqueToJsonSchema
)
