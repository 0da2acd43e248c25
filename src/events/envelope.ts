import { Schema } from "effect"

/** Fields every event may carry; a consumer derives `eventId` from the offset when it is absent. */
export const EventId = Schema.String.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isMaxLength(200, { message: "must be at most 200 characters" })
).annotate({ description: "Unique id of the event; replays with the same id change nothing" })

export const OccurredAt = Schema.String.check(
  Schema.makeFilter((text: string) => !Number.isNaN(Date.parse(text)) || "must be an ISO-8601 date-time")
).annotate({ description: "When it happened (ISO-8601)", format: "date-time" })
