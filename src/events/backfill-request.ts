import { Schema } from "effect"
import { Tenant, Uuid } from "../domain/primitives.ts"
import { EventId, OccurredAt } from "./envelope.ts"

/**
 * A campaign backfill job asks the fulfillment service (topic `backfill-request`) to judge the
 * past purchases and activities its fulfillments never saw, since `from`.
 */
export const BackfillRequestEvent = Schema.Struct({
  tenant: Tenant,
  /** The job's id: one derivation per job, however often the request is delivered. */
  eventId: EventId,
  jobId: Uuid,
  campaignId: Uuid,
  fulfillmentIds: Schema.Array(Uuid).check(Schema.isMaxLength(1000, { message: "must name at most 1000 fulfillments" })),
  from: OccurredAt
}).annotate({ identifier: "BackfillRequestEvent" })
export type BackfillRequestEvent = typeof BackfillRequestEvent.Type
