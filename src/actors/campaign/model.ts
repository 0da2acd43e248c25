import { Schema } from "effect"
import { FulfillmentProgress } from "../fulfillment/progress/model.ts"
import { periods } from "../../domain/calendar.ts"
import { Label, Points, Tenant, Uuid } from "../../domain/primitives.ts"
import { OccurredAt } from "../../events/envelope.ts"
import { CampaignStatus, WhyNot } from "./rules/why-not.ts"

const maxIds = 1000

/**
 * Reports each repeated id at its own position (`fulfillments[2]`), so the 422 points at the item
 * to remove. UUIDs are compared without case, as Postgres does.
 */
const noDuplicates = Schema.makeFilter<ReadonlyArray<string>>(
  (ids) => {
    const firstAt = new Map<string, number>()
    const issues: Array<Schema.FilterIssue> = []
    ids.forEach((id, index) => {
      const first = firstAt.get(id.toLowerCase())
      if (first === undefined) firstAt.set(id.toLowerCase(), index)
      else issues.push({ path: [index], issue: `repeats item ${first}` })
    })
    return issues
  },
  { expected: "ids without repeats", toJsonSchema: () => ({ uniqueItems: true }) }
)

/** A set of another service's ids: checked for form and uniqueness only, never looked up. */
const IdSet = (what: string) =>
  Schema.Array(Uuid).check(
    Schema.isMinLength(1, { message: "must not be empty" }),
    Schema.isMaxLength(maxIds, { message: `must have at most ${maxIds} ids` }),
    noDuplicates
  ).annotate({ description: `The ${what} ids (UUIDs, no repeats, at least one)` })

export const CampaignName = Label(200)

/** An RFC 3339 instant, with its format and an example in the OpenAPI document (the added filter checks nothing more). */
export const documentedInstant = (description: string, example: string) =>
  OccurredAt.check(Schema.makeFilter(() => true, { toJsonSchema: () => ({ format: "date-time" }) })).annotate({ description, examples: [example] })

const StartsAt = documentedInstant("The campaign counts only events whose event time is at or after this instant (RFC 3339)", "2026-03-01T00:00:00+01:00")
const EndsAt = documentedInstant("The campaign counts only events whose event time is before this instant; after `startsAt`", "2026-04-01T00:00:00+02:00")

const maxCount = 1_000_000_000
const Count = (description: string, example: number) =>
  Schema.Int.check(
    Schema.isGreaterThanOrEqualTo(1, { message: "must be at least 1" }),
    Schema.isLessThanOrEqualTo(maxCount, { message: `must be at most ${maxCount}` })
  ).annotate({ description, examples: [example] })

export const Period = Schema.Literals(periods).annotate({ description: "A calendar period in the tenant's time zone (weeks start on Monday)", examples: ["month"] })

/** All optional: a limit that is absent does not limit. */
export const CampaignLimits = Schema.Struct({
  perUser: Schema.optionalKey(Count("Completions per user, ever", 3)),
  perUserPerPeriod: Schema.optionalKey(
    Schema.Struct({ count: Count("Completions per user in one period", 1), period: Period }).annotate({
      description: "Completions per user in the calendar period (tenant's time zone) of the completing event's time; a new period lets a held-back round complete",
      examples: [{ count: 1, period: "month" }]
    })
  ),
  budgetCompletions: Schema.optionalKey(Count("Completions in total, all users together", 1000)),
  budgetPoints: Schema.optionalKey(Points.annotate({ description: "Points the campaign may credit in total, all users together; never exceeded", examples: [50000] }))
}).annotate({
  identifier: "CampaignLimits",
  description: "A round that would exceed a limit is not completed: it waits, complete, and is judged again on the user's next event of the campaign. " +
    "`perUser` counts every completion; budgets and per-period limits count the completions made while they are set.",
  examples: [{ perUser: 3, perUserPerPeriod: { count: 1, period: "month" }, budgetPoints: 50000 }]
})
export type CampaignLimits = typeof CampaignLimits.Type

/** `endsAt` must come after `startsAt`; the 422 names `endsAt`. */
const windowInOrder = Schema.makeFilter<{ readonly startsAt?: string | null; readonly endsAt?: string | null }>(
  (window) =>
    window.startsAt != null && window.endsAt != null && Date.parse(window.endsAt) <= Date.parse(window.startsAt)
      ? [{ path: ["endsAt"], issue: "must be after startsAt" }]
      : [],
  { expected: "endsAt after startsAt", toJsonSchema: () => ({}) }
)

/** The rules besides the sets; absent, each has its default (active, no window, no limits), as campaigns had before. */
const ruleFields = {
  status: Schema.optionalKey(CampaignStatus),
  startsAt: Schema.optionalKey(StartsAt),
  endsAt: Schema.optionalKey(EndsAt),
  limits: Schema.optionalKey(CampaignLimits)
}

const bread = "7bed8bf6-995b-450d-8417-1c368709e1e3"
const hundredPoints = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
const example = {
  name: "Bread in March",
  fulfillments: [bread],
  rewards: [hundredPoints],
  status: "active",
  startsAt: "2026-03-01T00:00:00+01:00",
  endsAt: "2026-04-01T00:00:00+02:00",
  limits: { perUser: 3, perUserPerPeriod: { count: 1, period: "month" }, budgetPoints: 50000 }
} as const

/** The original contract `{tenant, name, fulfillments, rewards}`, plus the optional rules. */
export const CampaignInput = Schema.Struct({
  tenant: Tenant,
  name: CampaignName,
  fulfillments: IdSet("fulfillment"),
  rewards: IdSet("reward"),
  ...ruleFields
}).check(windowInOrder).annotate({ identifier: "CampaignInput", examples: [{ tenant: "meiwei", ...example } as never] })
export type CampaignInput = typeof CampaignInput.Type

/**
 * A replacement: what it leaves out takes its default (active, no window, no limits). A campaign's
 * tenant never changes; naming it is allowed only if it is the same tenant.
 */
export const CampaignUpdate = Schema.Struct({
  tenant: Schema.optionalKey(Tenant.annotate({ description: "Optional; must be the campaign's own tenant" })),
  name: CampaignName,
  fulfillments: IdSet("fulfillment"),
  rewards: IdSet("reward"),
  ...ruleFields
}).check(windowInOrder).annotate({ identifier: "CampaignUpdate", examples: [example as never] })
export type CampaignUpdate = typeof CampaignUpdate.Type

/** Changes only what it names; `null` removes a window bound or every limit. */
export const CampaignPatch = Schema.Struct({
  tenant: Schema.optionalKey(Tenant.annotate({ description: "Optional; must be the campaign's own tenant" })),
  name: Schema.optionalKey(CampaignName),
  fulfillments: Schema.optionalKey(IdSet("fulfillment")),
  rewards: Schema.optionalKey(IdSet("reward")),
  status: Schema.optionalKey(CampaignStatus),
  startsAt: Schema.optionalKey(Schema.NullOr(StartsAt)),
  endsAt: Schema.optionalKey(Schema.NullOr(EndsAt)),
  limits: Schema.optionalKey(Schema.NullOr(CampaignLimits).annotate({ description: "Replaces every limit; null removes them all" }))
}).check(windowInOrder).annotate({ identifier: "CampaignPatch", examples: [{ status: "paused" } as never] })
export type CampaignPatch = typeof CampaignPatch.Type

export const Campaign = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  name: Schema.String,
  fulfillments: Schema.Array(Schema.String),
  rewards: Schema.Array(Schema.String),
  status: CampaignStatus,
  startsAt: Schema.NullOr(Schema.String.annotate({ description: "ISO-8601 UTC; null: counts events from any time" })),
  endsAt: Schema.NullOr(Schema.String.annotate({ description: "ISO-8601 UTC; null: counts events until further notice" })),
  limits: CampaignLimits,
  createdAt: Schema.String,
  updatedAt: Schema.String
}).annotate({ identifier: "Campaign" })
export type Campaign = typeof Campaign.Type

export const CampaignList = Schema.Struct({
  campaigns: Schema.Array(Campaign)
}).annotate({ identifier: "CampaignList" })
export type CampaignList = typeof CampaignList.Type

/**
 * Where one user stands in one campaign; `completions` counts the rounds finished so far, and
 * `reasons` what holds the user back now (absent when nothing does but the missing fulfillments).
 */
export const CampaignProgress = Schema.Struct({
  campaignId: Schema.String,
  tenant: Schema.String,
  userId: Schema.String,
  completed: Schema.Array(Schema.String),
  missing: Schema.Array(Schema.String),
  completions: Schema.Number,
  reasons: Schema.optionalKey(Schema.Array(WhyNot).annotate({
    description: "What holds the user back now (status and window judged on the current time), and the round's basis so far"
  })),
  goals: Schema.optionalKey(Schema.Array(FulfillmentProgress).annotate({
    description: "How far along the user is now with each missing fulfillment that is a cumulative goal, as the fulfillment service counts it"
  }))
}).annotate({
  identifier: "CampaignProgress",
  examples: [{
    campaignId: "5d6c2a0e-8f4b-4c1a-9e3d-2b7f6a8c9d10",
    tenant: "meiwei",
    userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202",
    completed: [bread],
    missing: [],
    completions: 3,
    reasons: [
      { rule: "per-user-limit", message: "per-user limit reached (3/3)", count: 3, limit: 3 },
      { rule: "round-basis", message: "the round's spend so far is 129.99 (1 order)", basis: 129.99, orderIds: ["order-1001"] }
    ]
  }]
})
export type CampaignProgress = typeof CampaignProgress.Type
