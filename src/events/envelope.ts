import { Schema } from "effect"
import { Text, WellFormedString } from "../domain/primitives.ts"

/** Fields every event may carry; a consumer derives `eventId` from the offset when it is absent. */
export const EventId = Text(200).annotate({ description: "Unique id of the event; replays with the same id change nothing" })

export const OccurredAt = WellFormedString.check(
  Schema.makeFilter((text: string) => !Number.isNaN(Date.parse(text)) || "must be an ISO-8601 date-time")
).annotate({ description: "When it happened (ISO-8601)", format: "date-time" })
