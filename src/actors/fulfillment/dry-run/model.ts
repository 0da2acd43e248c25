import { Schema } from "effect"
import { CampaignEvaluation } from "../../campaign/evaluation/model.ts"
import { FulfillmentKind } from "../model.ts"

export const FulfillmentVerdict = Schema.Struct({
  fulfillment_id: Schema.String,
  kind: FulfillmentKind,
  name: Schema.String,
  matched: Schema.Boolean.annotate({ description: "Whether this event would complete the fulfillment" }),
  reason: Schema.optionalKey(Schema.String.annotate({
    description: "Why not: `product differs`, `amount 99 < 100`, `tag differs`, `3 of 5 purchases in the last 30 days (this one would make 4)`, `too old: ...`",
    examples: ["amount 99 < 100"]
  }))
}).annotate({ identifier: "FulfillmentVerdict" })

/** A `fulfillment` event the event would cause, less the ids it would get. */
export const WouldComplete = Schema.Struct({
  fulfillmentId: Schema.String,
  occurredAt: Schema.String.annotate({ description: "The event time of the event that would complete it", format: "date-time" }),
  basis: Schema.optionalKey(Schema.String.annotate({ description: "Buy fulfillments: the purchases' amounts added up, as exact decimal text", examples: ["101"] })),
  orderIds: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "Buy fulfillments: the purchases used (order id, else event id)" }))
}).annotate({ identifier: "WouldComplete" })

/**
 * One event of the request, judged as if applied after the ones before it, and what its
 * completions would do to the user's campaigns (the campaign service's answer, with the points).
 */
export const DryRunEvent = Schema.Struct({
  index: Schema.Number.annotate({ description: "Its position in the request (0 for a one-event body)" }),
  tenant: Schema.String,
  userId: Schema.String,
  occurredAt: Schema.String.annotate({ description: "Its event time: its `occurredAt`, else now", format: "date-time" }),
  fulfillments: Schema.Array(FulfillmentVerdict).annotate({ description: "Every fulfillment of the tenant, in the order they were created" }),
  completions: Schema.Array(WouldComplete),
  campaigns: Schema.Array(CampaignEvaluation).annotate({
    description: "The campaigns of the tenant these completions would advance, complete or find blocked, with the points each reward would credit (none when nothing completes)"
  })
}).annotate({ identifier: "DryRunEvent" })

export const DryRunAnswer = Schema.Struct({
  dryRun: Schema.Literal(true),
  events: Schema.Array(DryRunEvent)
}).annotate({
  identifier: "DryRunAnswer",
  examples: [{
    dryRun: true,
    events: [{
      index: 0,
      tenant: "meiwei",
      userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202",
      occurredAt: "2026-03-01T09:30:00.000Z",
      fulfillments: [
        { fulfillment_id: "7bed8bf6-995b-450d-8417-1c368709e1e3", kind: "buy", name: "bread", matched: true },
        { fulfillment_id: "5c1d7a2e-0b7e-4f0e-9a8e-3f2b1c0d9e8f", kind: "buy", name: "cake", matched: false, reason: "product differs" },
        {
          fulfillment_id: "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
          kind: "buy",
          name: "five loaves a month",
          matched: false,
          reason: "3 of 5 purchases in the last 30 days (this one would make 4)"
        }
      ],
      completions: [{ fulfillmentId: "7bed8bf6-995b-450d-8417-1c368709e1e3", occurredAt: "2026-03-01T09:30:00.000Z", basis: "101", orderIds: ["order-1001"] }],
      campaigns: [{
        campaignId: "5d6c2a0e-8f4b-4c1a-9e3d-2b7f6a8c9d10",
        name: "bread lovers",
        outcome: "completes",
        reasons: [],
        rewards: [{ rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", points: 100 }]
      }]
    }]
  } as never]
})
export type DryRunAnswer = typeof DryRunAnswer.Type
