import { Schema } from "effect"
import { Amount, Tenant, UserId, Uuid } from "../../../domain/primitives.ts"
import { OrderIds } from "../../../events/envelope.ts"
import { documentedInstant } from "../model.ts"
import { WhyNot } from "../rules/why-not.ts"

export const maxEvaluatedFulfillments = 100

/** Completions to judge as if they happened, for one user: nothing is stored or emitted. */
export const EvaluationInput = Schema.Struct({
  tenant: Tenant,
  userId: UserId.annotate({ description: "The end customer, as in the events", examples: ["0e41cc11-5e54-448b-a6ce-9c9a855ad202" as never] }),
  occurredAt: documentedInstant("The completions' event time: windows and periods are judged on it", "2026-03-14T10:00:00Z"),
  fulfillments: Schema.Array(Schema.Struct({
    fulfillmentId: Uuid.annotate({ description: "A fulfillment the user would complete", examples: ["7bed8bf6-995b-450d-8417-1c368709e1e3"] }),
    basis: Schema.optionalKey(Amount.annotate({ description: "Its spend (a buy fulfillment's purchase amount, or its purchases' total)", examples: [129.99] })),
    orderIds: Schema.optionalKey(OrderIds.annotate({ description: "The purchases that would complete it", examples: [["order-1001"]] }))
  })).check(
    Schema.isMinLength(1, { message: "must name at least one fulfillment" }),
    Schema.isMaxLength(maxEvaluatedFulfillments, { message: `must name at most ${maxEvaluatedFulfillments} fulfillments` })
  ).annotate({ description: "In the order they would happen" })
}).annotate({
  identifier: "CampaignEvaluationInput",
  examples: [{
    tenant: "meiwei",
    userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202",
    occurredAt: "2026-03-14T10:00:00Z",
    fulfillments: [{ fulfillmentId: "7bed8bf6-995b-450d-8417-1c368709e1e3", basis: 129.99, orderIds: ["order-1001"] }]
  } as never]
})
export type EvaluationInput = typeof EvaluationInput.Type

export const outcomes = ["completes", "advances", "unchanged", "blocked"] as const
export type Outcome = (typeof outcomes)[number]

export const CampaignEvaluation = Schema.Struct({
  campaignId: Schema.String,
  name: Schema.String,
  outcome: Schema.Literals(outcomes).annotate({
    description: "`completes`: a round would complete and its rewards be credited; `advances`: the round would move on; " +
      "`blocked`: the round would be complete but a limit holds it back; `unchanged`: nothing would change (see `reasons`)"
  }),
  reasons: Schema.Array(WhyNot).annotate({ description: "What holds the user back (the same codes as the progress answer), and the round's basis" }),
  rewards: Schema.Array(Schema.Struct({
    rewardId: Schema.String,
    points: Schema.NullOr(Schema.Number).annotate({ description: "The points it would credit; null when the reward's rule is not known here (yet)" })
  })).annotate({ description: "For `completes`, what each completion would credit; otherwise what completing the round would earn on its basis so far" })
}).annotate({ identifier: "CampaignEvaluation" })
export type CampaignEvaluation = typeof CampaignEvaluation.Type

export const Evaluation = Schema.Struct({
  campaigns: Schema.Array(CampaignEvaluation)
}).annotate({
  identifier: "CampaignEvaluationResult",
  examples: [{
    campaigns: [{
      campaignId: "5d6c2a0e-8f4b-4c1a-9e3d-2b7f6a8c9d10",
      name: "Bread in March",
      outcome: "completes",
      reasons: [{ rule: "round-basis", message: "the round's spend so far is 129.99 (1 order)", basis: 129.99, orderIds: ["order-1001"] }],
      rewards: [{ rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", points: 12 }]
    }]
  }]
})
export type Evaluation = typeof Evaluation.Type
