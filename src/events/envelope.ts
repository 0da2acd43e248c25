import { Schema } from "effect"
import { Text, WellFormedString, opaqueToJsonSchema } from "../domain/primitives.ts"
import { reservedIdPrefix } from "./event-id.ts"

/** The id of an event between Loyaltea's own services: any id, its own derived ones included. */
export const EventId = Text(200).annotate({ description: "Unique id of the event; replays with the same id change nothing" })

/**
 * The id a shop gives an event it sends (`buy`, `activity`): unique within the shop's tenant and
 * topic. The prefix `loyaltea:` is reserved for the ids Loyaltea derives itself.
 */
export const IngressEventId = EventId.check(
  Schema.makeFilter((id: string) => !id.startsWith(reservedIdPrefix) || `must not start with "${reservedIdPrefix}" (reserved for ids Loyaltea derives)`, opaqueToJsonSchema)
).annotate({
  description: `Unique id of the event within its tenant and topic; a replay or retry with the same id changes nothing. Ids starting with "${reservedIdPrefix}" are reserved.`,
  examples: ["order-1001-line-1"]
})

// RFC 3339: a date, a time and a zone; no local times that mean a different instant in every zone.
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i

export const OccurredAt = WellFormedString.check(
  Schema.makeFilter(
    (text: string) => (rfc3339.test(text) && !Number.isNaN(Date.parse(text))) || "must be an ISO-8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z",
    opaqueToJsonSchema
  )
).annotate({
  description: "When it happened (ISO-8601 with a zone or Z); every rule is judged on it. Absent: the Kafka record's timestamp.",
  format: "date-time",
  examples: ["2026-03-01T09:30:00Z"]
})

/** An exact decimal carried as text between services (`"129.99"`): at most 4 places, never a float. */
export const DecimalString = WellFormedString.check(
  Schema.makeFilter((text: string) => /^-?\d{1,16}(\.\d{1,4})?$/.test(text) || "must be a decimal with at most 4 places, as text", opaqueToJsonSchema)
).annotate({ description: "An exact decimal as text", examples: ["129.99"] })

/** The purchases behind a derived event (their `orderId`, else their event id), for refunds to find them. */
export const OrderIds = Schema.Array(EventId).check(Schema.isMaxLength(1000, { message: "must name at most 1000 orders" }))
