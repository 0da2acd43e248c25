import { Schema } from "effect"
import { Amount, Label, Tenant, Uuid, Text } from "../../domain/primitives.ts"
import { ActivityEvent, Tag } from "../../events/activity.ts"
import { BuyEvent } from "../../events/buy.ts"

/** As a buy event names it; empty in a fulfillment means "any product". */
export const Product = Text(200, 0)
  .annotate({ description: "The product bought; in a buy fulfillment an empty string matches any product" })

const Name = Label(200)

/** A buy fulfillment as the original API spoke it (snake_case): `fulfillment_id` is generated when absent. */
export const BuyFulfillmentInput = Schema.Struct({
  tenant: Tenant,
  fulfillment_id: Schema.optionalKey(Uuid),
  name: Name,
  product: Product,
  amount: Amount
}).annotate({ identifier: "BuyFulfillmentInput" })
export type BuyFulfillmentInput = typeof BuyFulfillmentInput.Type

/** The whole rule is replaced; a missing name keeps the current one. */
export const BuyFulfillmentUpdate = Schema.Struct({
  name: Schema.optionalKey(Name),
  product: Product,
  amount: Amount
}).annotate({ identifier: "BuyFulfillmentUpdate" })
export type BuyFulfillmentUpdate = typeof BuyFulfillmentUpdate.Type

export const BuyFulfillment = Schema.Struct({
  tenant: Schema.String,
  fulfillment_id: Schema.String,
  name: Schema.String,
  product: Schema.String,
  amount: Schema.Number,
  created_at: Schema.String,
  updated_at: Schema.String
}).annotate({ identifier: "BuyFulfillment" })
export type BuyFulfillment = typeof BuyFulfillment.Type

export const TagFulfillmentInput = Schema.Struct({
  tenant: Tenant,
  fulfillment_id: Schema.optionalKey(Uuid),
  name: Name,
  tag: Tag
}).annotate({ identifier: "TagFulfillmentInput" })
export type TagFulfillmentInput = typeof TagFulfillmentInput.Type

export const TagFulfillmentUpdate = Schema.Struct({
  name: Schema.optionalKey(Name),
  tag: Tag
}).annotate({ identifier: "TagFulfillmentUpdate" })
export type TagFulfillmentUpdate = typeof TagFulfillmentUpdate.Type

export const TagFulfillment = Schema.Struct({
  tenant: Schema.String,
  fulfillment_id: Schema.String,
  name: Schema.String,
  tag: Schema.String,
  created_at: Schema.String,
  updated_at: Schema.String
}).annotate({ identifier: "TagFulfillment" })
export type TagFulfillment = typeof TagFulfillment.Type

export const FulfillmentKind = Schema.Literals(["buy", "tag"])
export type FulfillmentKind = typeof FulfillmentKind.Type

/** A fulfillment as the matcher needs it: just the condition and the id to report. */
export const Rule = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("buy"), id: Schema.String, product: Schema.String, amount: Schema.Number }),
  Schema.Struct({ kind: Schema.Literal("tag"), id: Schema.String, tag: Schema.String })
])
export type Rule = typeof Rule.Type
export type BuyRule = Extract<Rule, { kind: "buy" }>
export type TagRule = Extract<Rule, { kind: "tag" }>

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

export const BuyEvents = oneOrMany(BuyEvent).annotate({ identifier: "BuyEvents" })
export const ActivityEvents = oneOrMany(ActivityEvent).annotate({ identifier: "ActivityEvents" })

export const Accepted = Schema.Struct({
  /** In the order of the request; the ids the consumers dedupe by. */
  eventIds: Schema.Array(Schema.String)
}).annotate({ identifier: "Accepted" })
export type Accepted = typeof Accepted.Type
