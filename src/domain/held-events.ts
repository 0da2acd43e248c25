import { Schema } from "effect"

/**
 * Events kept until the event they follow arrives (a refund before its purchase, a revocation
 * before its fulfillment), counted per tenant: what an operator looks at when something seems late.
 */
export const HeldEvents = Schema.Struct({
  tenants: Schema.Array(Schema.Struct({
    tenant: Schema.String,
    held: Schema.Number.annotate({ description: "Events waiting" }),
    oldest: Schema.String.annotate({ description: "When the one waiting longest arrived", format: "date-time" })
  }))
}).annotate({ identifier: "HeldEvents", examples: [{ tenants: [{ tenant: "meiwei", held: 2, oldest: "2026-03-04T15:00:02.000Z" }] }] })
export type HeldEvents = typeof HeldEvents.Type
