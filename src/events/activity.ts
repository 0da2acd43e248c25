import { Schema } from "effect"
import { Tenant, UserId, WellFormedString } from "../domain/primitives.ts"
import { IngressEventId, OccurredAt } from "./envelope.ts"

export const Tag = WellFormedString.check(
  Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, { message: "must be 1-100 letters, digits, '_', '.', ':' or '-'" })
).annotate({ description: "An activity such as `signup`, `review`, `newsletter`" })

/** Something a user did (topic `activity`). */
export const ActivityEvent = Schema.Struct({
  tenant: Tenant,
  userId: UserId,
  tag: Tag,
  eventId: Schema.optionalKey(IngressEventId),
  occurredAt: Schema.optionalKey(OccurredAt)
}).annotate({ identifier: "ActivityEvent" })
export type ActivityEvent = typeof ActivityEvent.Type
