import { Schema } from "effect"
import { opaqueToJsonSchema, PositiveDecimal, Label, Tenant, TimeZone } from "../../../domain/primitives.ts"
import { parseWindow } from "../../../domain/iso-duration.ts"

const Duration = (description: string, example: string) =>
  Schema.NullOr(Schema.String.check(Schema.makeFilter((text: string) => {
    if (!text.isWellFormed()) return "must be well-formed Unicode (no lone surrogates)"
    const parsed = parseWindow(text)
    return "error" in parsed ? parsed.error : true
  }, opaqueToJsonSchema))).annotate({ description, examples: [example] })

export const NegativeBalance = Schema.Literals(["allow", "clamp"]).annotate({
  description: "When a reversal (or a negative adjustment) takes back points already spent: `allow` lets the balance go below zero (the default), `clamp` stops it at 0 and records the shortfall on the entry",
  examples: ["clamp"]
})
export type NegativeBalance = typeof NegativeBalance.Type

export const Tier = Schema.Struct({
  name: Label(100),
  min_points: Schema.Finite.check(
    Schema.makeFilter((value: number) => Math.abs(Math.round(value * 10_000) - value * 10_000) < 1e-6 || "must have at most 4 decimal places", opaqueToJsonSchema),
    Schema.isGreaterThanOrEqualTo(0, { message: "must be at least 0" }),
    Schema.isLessThanOrEqualTo(1_000_000_000_000, { message: "must be at most 1000000000000" })
  ).annotate({ description: "The points earned inside `tier_window` from which the tier is reached", examples: [1000] }),
  multiplier: PositiveDecimal("What later credits are multiplied by while the user is in this tier").check(
    Schema.isLessThanOrEqualTo(100, { message: "must be at most 100" })
  ).annotate({ examples: [1.5] })
}).annotate({ identifier: "Tier" })
export type Tier = typeof Tier.Type

const MemberLimit = (description: string, example: number) =>
  Schema.NullOr(PositiveDecimal(description).check(Schema.isLessThanOrEqualTo(1_000_000_000_000, { message: "must be at most 1000000000000" })))
    .annotate({ examples: [example] })

/** What a member may redeem on their own, with a member token; operators and API keys are not bound by it. */
export const MemberRedemption = Schema.Struct({
  enabled: Schema.Boolean.annotate({ description: "Whether members may redeem with a member token at all (default false)", examples: [true] }),
  max_points_per_redemption: MemberLimit("The most points one member redemption may take; null = no limit", 500),
  max_points_per_day: MemberLimit("The most points a member may redeem in a calendar day of `time_zone` (their redemptions that day added up); null = no limit", 1000)
}).annotate({ identifier: "MemberRedemption" })
export type MemberRedemption = typeof MemberRedemption.Type

export const noMemberRedemption: MemberRedemption = { enabled: false, max_points_per_redemption: null, max_points_per_day: null }

const distinctTiers = Schema.makeFilter<ReadonlyArray<Tier>>((tiers) =>
  tiers.flatMap((tier, index) => [
    ...(tiers.findIndex((other) => other.name === tier.name) < index ? [{ path: [index, "name"], issue: `tier ${tier.name} is named twice` }] : []),
    ...(tiers.findIndex((other) => other.min_points === tier.min_points) < index ? [{ path: [index, "min_points"], issue: `two tiers start at ${tier.min_points}` }] : [])
  ]), { expected: "tiers with distinct names and thresholds" })

const fields = {
  time_zone: TimeZone,
  pending_days: Schema.Int.check(
    Schema.isGreaterThanOrEqualTo(0, { message: "must be at least 0" }),
    Schema.isLessThanOrEqualTo(3650, { message: "must be at most 3650" })
  ).annotate({ description: "Days a credit stays pending (visible, not spendable) after its event time; 0 = spendable at once", examples: [14] }),
  points_expire_after: Duration("How long after its event time a credit's unspent points expire, as an ISO-8601 duration of weeks, days or hours (`P365D`); null = never", "P365D"),
  negative_balance: NegativeBalance,
  tiers: Schema.Array(Tier).check(Schema.isMaxLength(20, { message: "must have at most 20 tiers" })).check(distinctTiers)
    .annotate({ description: "The tiers, reached by points earned (credits minus reversals) inside `tier_window`; none = no tiers" }),
  tier_window: Duration("The rolling window earned points count in for the tier (`P365D`); null = the user's whole life", "P365D"),
  member_redemption: MemberRedemption
}

const example = {
  time_zone: "Europe/Berlin",
  pending_days: 14,
  points_expire_after: "P365D",
  negative_balance: "clamp",
  tiers: [{ name: "silver", min_points: 1000, multiplier: 1.25 }, { name: "gold", min_points: 5000, multiplier: 1.5 }],
  tier_window: "P365D",
  member_redemption: { enabled: true, max_points_per_redemption: 500, max_points_per_day: 1000 }
} as const

/** A tenant's program as `PUT /programs/{tenant}` takes it: every field optional, a field left out takes its default. */
export const ProgramInput = Schema.Struct({
  time_zone: Schema.optionalKey(fields.time_zone),
  pending_days: Schema.optionalKey(fields.pending_days),
  points_expire_after: Schema.optionalKey(fields.points_expire_after),
  negative_balance: Schema.optionalKey(fields.negative_balance),
  tiers: Schema.optionalKey(fields.tiers),
  tier_window: Schema.optionalKey(fields.tier_window),
  member_redemption: Schema.optionalKey(fields.member_redemption)
}).annotate({ identifier: "ProgramInput", examples: [example] })
export type ProgramInput = typeof ProgramInput.Type

export const Program = Schema.Struct({
  tenant: Schema.String,
  ...fields,
  tiers: Schema.Array(Tier),
  updated_at: Schema.NullOr(Schema.String).annotate({ description: "null while the tenant has no program of its own (the defaults)" })
}).annotate({ identifier: "Program", examples: [{ tenant: "meiwei", ...example, updated_at: "2026-03-01T09:30:00.000Z" }] })
export type Program = typeof Program.Type

export const ProgramParams = Schema.Struct({ tenant: Tenant })

/** A program as the lifecycle counts with it: durations in ms, tiers from the lowest. */
export interface ProgramRules {
  readonly pendingMs: number
  readonly expireAfterMs: number | null
  readonly negativeBalance: NegativeBalance
  readonly tiers: ReadonlyArray<Tier>
  readonly tierWindowMs: number | null
  readonly timeZone: string
  readonly memberRedemption: MemberRedemption
}

export const defaultProgram = (tenant: string): Program => ({
  tenant,
  time_zone: "UTC",
  pending_days: 0,
  points_expire_after: null,
  negative_balance: "allow",
  tiers: [],
  tier_window: null,
  member_redemption: noMemberRedemption,
  updated_at: null
})

const day = 86_400_000
const msOf = (duration: string | null) => {
  if (duration === null) return null
  const parsed = parseWindow(duration)
  return "ms" in parsed ? parsed.ms : null
}

export const rulesOf = (program: Program): ProgramRules => ({
  pendingMs: program.pending_days * day,
  expireAfterMs: msOf(program.points_expire_after),
  negativeBalance: program.negative_balance,
  tiers: [...program.tiers].sort((a, b) => a.min_points - b.min_points),
  tierWindowMs: msOf(program.tier_window),
  timeZone: program.time_zone,
  memberRedemption: program.member_redemption
})
