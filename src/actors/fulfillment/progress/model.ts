import { Schema } from "effect"
import { FulfillmentKind } from "../model.ts"

const GoalCount = Schema.Number.annotate({ description: "Qualifying events needed", examples: [5] })

/** A cumulative fulfillment's goal, as it was created. */
export const GoalSpec = Schema.Struct({
  count: GoalCount,
  total: Schema.optionalKey(Schema.Number.annotate({ description: "Amount the purchases must add up to", examples: [500] })),
  within: Schema.optionalKey(Schema.String.annotate({ description: "Rolling window (ISO-8601 duration)", examples: ["P30D"] })),
  period: Schema.optionalKey(Schema.Literals(["day", "week", "month"]).annotate({ description: "Calendar period in the tenant's time zone", examples: ["month"] }))
}).annotate({ identifier: "GoalSpec" })

/** How far along a user is: the events counted now (the window ending now, this period, or ever). */
export const GoalTally = Schema.Struct({
  count: Schema.Number.annotate({ description: "Qualifying events counted", examples: [2] }),
  total: Schema.Number.annotate({ description: "Their amounts added up (0 for activities)", examples: [340] })
}).annotate({ identifier: "GoalTally" })

export const FulfillmentProgress = Schema.Struct({
  fulfillment_id: Schema.String,
  kind: FulfillmentKind,
  name: Schema.String,
  goal: GoalSpec,
  current: GoalTally,
  description: Schema.String.annotate({ description: "The same in words", examples: ["2 of 5 purchases in the last 30 days"] })
}).annotate({ identifier: "FulfillmentProgress" })

export const ProgressAnswer = Schema.Struct({
  tenant: Schema.String,
  user_id: Schema.String,
  at: Schema.String.annotate({ description: "The instant judged (ISO-8601): now, or the `at` asked for", format: "date-time" }),
  fulfillments: Schema.Array(FulfillmentProgress)
}).annotate({
  identifier: "FulfillmentProgressAnswer",
  examples: [{
    tenant: "meiwei",
    user_id: "0e41cc11-5e54-448b-a6ce-9c9a855ad202",
    at: "2026-03-20T09:30:00.000Z",
    fulfillments: [{
      fulfillment_id: "7bed8bf6-995b-450d-8417-1c368709e1e3",
      kind: "buy",
      name: "five loaves a month",
      goal: { count: 5, within: "P30D" },
      current: { count: 2, total: 340 },
      description: "2 of 5 purchases in the last 30 days"
    }]
  } as never]
})
export type ProgressAnswer = typeof ProgressAnswer.Type
