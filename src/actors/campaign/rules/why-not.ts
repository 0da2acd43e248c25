import { Schema } from "effect"
import { periods } from "../../../domain/calendar.ts"

export const statuses = ["draft", "active", "paused", "ended"] as const
export type CampaignStatus = (typeof statuses)[number]

export const CampaignStatus = Schema.Literals(statuses).annotate({
  description: "Only `active` campaigns advance; `draft`, `paused` and `ended` ones ignore every event, judged when it is processed",
  examples: ["active"]
})

/** The stable codes of what can hold a user back in a campaign (and `round-basis`, which says how far the round is). */
export const whyNotRules = [
  "status",
  "window-not-started",
  "window-ended",
  "per-user-limit",
  "per-period-limit",
  "budget-completions",
  "budget-points",
  "reward-unknown",
  "round-basis",
  "goals-unavailable"
] as const
export type WhyNotRule = (typeof whyNotRules)[number]

const Fact = (description: string) => ({ description })

/**
 * One rule that holds a user back, as a stable code, a sentence, and its facts. Which facts come
 * with which code: `status` {status}; `window-not-started` {startsAt}; `window-ended` {endsAt};
 * `per-user-limit` {count, limit}; `per-period-limit` {count, limit, period, periodStart, periodEnd};
 * `budget-completions` {used, limit}; `budget-points` {used, limit, needed}; `reward-unknown`
 * {rewardId}; `round-basis` {basis, orderIds} (informative: the spend of the round so far);
 * `goals-unavailable` {} (the fulfillment service could not say how far the cumulative goals are).
 */
export const WhyNot = Schema.Struct({
  rule: Schema.Literals(whyNotRules).annotate(Fact("A stable code for the rule")),
  message: Schema.String.annotate(Fact("The same in words, e.g. `per-user limit reached (3/3)`")),
  status: Schema.optionalKey(CampaignStatus),
  startsAt: Schema.optionalKey(Schema.String.annotate(Fact("When the campaign starts counting events (ISO-8601)"))),
  endsAt: Schema.optionalKey(Schema.String.annotate(Fact("When the campaign stopped counting events (ISO-8601)"))),
  count: Schema.optionalKey(Schema.Number.annotate(Fact("Completions so far (the user's, or in the period)"))),
  limit: Schema.optionalKey(Schema.Number.annotate(Fact("The limit that is reached"))),
  period: Schema.optionalKey(Schema.Literals(periods).annotate(Fact("The kind of calendar period"))),
  periodStart: Schema.optionalKey(Schema.String.annotate(Fact("The period's first instant, in the tenant's time zone (ISO-8601 UTC)"))),
  periodEnd: Schema.optionalKey(Schema.String.annotate(Fact("The instant the next period starts (ISO-8601 UTC)"))),
  used: Schema.optionalKey(Schema.Number.annotate(Fact("What the campaign's budget has used so far"))),
  needed: Schema.optionalKey(Schema.Number.annotate(Fact("The points completing this round would take from the budget"))),
  rewardId: Schema.optionalKey(Schema.String.annotate(Fact("A reward whose earning rule the campaign service does not know (yet)"))),
  basis: Schema.optionalKey(Schema.Number.annotate(Fact("The round's spend so far: the sum of its buy fulfillments' bases"))),
  orderIds: Schema.optionalKey(Schema.Array(Schema.String).annotate(Fact("The purchases behind the round's basis")))
}).annotate({
  identifier: "WhyNot",
  examples: [{ rule: "per-user-limit", message: "per-user limit reached (3/3)", count: 3, limit: 3 }]
})
export type WhyNot = typeof WhyNot.Type
