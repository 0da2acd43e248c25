import { Schema } from "effect"

/** The refunds waiting for their purchase, per tenant: what an operator looks at when purchases seem late. */
export const HeldRefunds = Schema.Struct({
  tenants: Schema.Array(Schema.Struct({
    tenant: Schema.String,
    held: Schema.Number.annotate({ description: "Refunds waiting for their order's first purchase" }),
    oldest: Schema.String.annotate({ description: "When the one waiting longest arrived", format: "date-time" })
  }))
}).annotate({ identifier: "HeldRefunds", examples: [{ tenants: [{ tenant: "meiwei", held: 2, oldest: "2026-03-04T15:00:02.000Z" }] }] })
export type HeldRefunds = typeof HeldRefunds.Type
