import { Schema } from "effect"
import { Text, WellFormedString } from "../domain/primitives.ts"
import { reservedIdPrefix } from "./event-id.ts"

/** The id of an event between Loyaltea's own services: any id, its own derived ones included. */
export const EventId = Text(200).annotate({ description: "Unique id of the event; replays with the same id change nothing" })

/**
 * The id a shop gives an event it sends (`buy`, `activity`): unique within the shop's tenant and
 * topic. The prefix `loyaltea:` is reserved for the ids Loyaltea derives itself.
 */
export const IngressEventId = EventId.check(
  Schema.makeFilter((id: string) => !id.startsWith(reservedIdPrefix) || `must not start with "${reservedIdPrefix}" (reserved for ids Loyaltea derives)`)
).annotate({
  description: `Unique id of the event within its tenant and topic; a replay or retry with the same id changes nothing. Ids starting with "${reservedIdPrefix}" are reserved.`,
  examples: ["order-1001-line-1"]
})

export const OccurredAt = WellFormedString.check(
  Schema.makeFilter((text: string) => !Number.isNaN(Date.parse(text)) || "must be an ISO-8601 date-time")
).annotate({ description: "When it happened (ISO-8601)", format: "date-time" })
