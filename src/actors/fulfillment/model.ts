import { Schema } from "effect"
import { Amount, Label, Tenant, Uuid, Text } from "../../domain/primitives.ts"
import { ActivityEvent, Tag } from "../../events/activity.ts"
import { BuyEvent } from "../../events/buy.ts"
import { RefundEvent } from "../../events/refund.ts"
import { buyGoalFields, GoalCount, GoalPeriod, GoalTotal, GoalWithin, oneWindow, tagGoalFields } from "./goals/goal-fields.ts"

/** As a buy event names it; empty in a fulfillment means "any product". */
export const Product = Text(200, 0)
  .annotate({ description: "The product bought; in a buy fulfillment an empty string matches any product" })

const Name = Label(200)

const breadThreeTimes = { name: "bread three times a week", product: "bread", amount: 0, count: 3, within: "P7D" }
const twoReviews = { name: "two reviews this month", tag: "review", count: 2, period: "month" }

/**
 * A buy fulfillment as the original API spoke it (snake_case): `fulfillment_id` is generated
 * when absent. Without goal fields each qualifying purchase completes it once, as always.
 */
export const BuyFulfillmentInput = Schema.Struct({
  tenant: Tenant,
  fulfillment_id: Schema.optionalKey(Uuid),
  name: Name,
  product: Product,
  amount: Amount,
  ...buyGoalFields
}).annotate({ examples: [{ tenant: "meiwei", ...breadThreeTimes } as never] }).check(oneWindow).annotate({ identifier: "BuyFulfillmentInput" })
export type BuyFulfillmentInput = typeof BuyFulfillmentInput.Type

/** The whole rule is replaced (a goal field left out is removed); a missing name keeps the current one. */
export const BuyFulfillmentUpdate = Schema.Struct({
  name: Schema.optionalKey(Name),
  product: Product,
  amount: Amount,
  ...buyGoalFields
}).annotate({ examples: [breadThreeTimes as never] }).check(oneWindow).annotate({ identifier: "BuyFulfillmentUpdate" })
export type BuyFulfillmentUpdate = typeof BuyFulfillmentUpdate.Type

/** The goal fields as stored: present only when set. */
const storedGoal = {
  count: Schema.optionalKey(GoalCount),
  within: Schema.optionalKey(GoalWithin),
  period: Schema.optionalKey(GoalPeriod)
}

export const BuyFulfillment = Schema.Struct({
  tenant: Schema.String,
  fulfillment_id: Schema.String,
  name: Schema.String,
  product: Schema.String,
  amount: Schema.Number,
  ...storedGoal,
  total: Schema.optionalKey(GoalTotal),
  created_at: Schema.String,
  updated_at: Schema.String
}).annotate({ identifier: "BuyFulfillment" })
export type BuyFulfillment = typeof BuyFulfillment.Type

export const TagFulfillmentInput = Schema.Struct({
  tenant: Tenant,
  fulfillment_id: Schema.optionalKey(Uuid),
  name: Name,
  tag: Tag,
  ...tagGoalFields
}).annotate({ examples: [{ tenant: "meiwei", ...twoReviews } as never] }).check(oneWindow).annotate({ identifier: "TagFulfillmentInput" })
export type TagFulfillmentInput = typeof TagFulfillmentInput.Type

export const TagFulfillmentUpdate = Schema.Struct({
  name: Schema.optionalKey(Name),
  tag: Tag,
  ...tagGoalFields
}).annotate({ examples: [twoReviews as never] }).check(oneWindow).annotate({ identifier: "TagFulfillmentUpdate" })
export type TagFulfillmentUpdate = typeof TagFulfillmentUpdate.Type

export const TagFulfillment = Schema.Struct({
  tenant: Schema.String,
  fulfillment_id: Schema.String,
  name: Schema.String,
  tag: Schema.String,
  ...storedGoal,
  created_at: Schema.String,
  updated_at: Schema.String
}).annotate({ identifier: "TagFulfillment" })
export type TagFulfillment = typeof TagFulfillment.Type

export const FulfillmentKind = Schema.Literals(["buy", "tag"])
export type FulfillmentKind = typeof FulfillmentKind.Type

/** More events than this in one request are refused: one request is one produce batch. */
export const maxEventsPerRequest = 1000

/** One event, or a non-empty bounded array of them (validated as a whole before anything is sent). */
const oneOrMany = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(event: S) =>
  Schema.Union([
    event,
    Schema.Array(event).check(
      Schema.isMinLength(1, { message: "must hold at least one event" }),
      Schema.isMaxLength(maxEventsPerRequest, { message: `must hold at most ${maxEventsPerRequest} events` })
    )
  ])

const examplePurchase = {
  tenant: "meiwei",
  product: "bread",
  amount: 101,
  userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202",
  eventId: "order-1001-line-1",
  occurredAt: "2026-03-01T09:30:00Z",
  orderId: "order-1001",
  currency: "EUR"
}
const exampleActivity = { tenant: "meiwei", userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202", tag: "review", eventId: "review-2001", occurredAt: "2026-03-01T09:30:00Z" }

const exampleRefund = { tenant: "meiwei", userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202", orderId: "order-1001", amount: 30, eventId: "refund-1001-1", occurredAt: "2026-03-04T15:00:00Z" }

export const BuyEvents = oneOrMany(BuyEvent).annotate({ identifier: "BuyEvents", examples: [examplePurchase as never] })
export const ActivityEvents = oneOrMany(ActivityEvent).annotate({ identifier: "ActivityEvents", examples: [exampleActivity as never] })
export const RefundEvents = oneOrMany(RefundEvent).annotate({ identifier: "RefundEvents", examples: [exampleRefund as never] })

export const Accepted = Schema.Struct({
  /** In the order of the request; the ids the consumers dedupe by. */
  eventIds: Schema.Array(Schema.String)
}).annotate({ identifier: "Accepted" })
export type Accepted = typeof Accepted.Type
