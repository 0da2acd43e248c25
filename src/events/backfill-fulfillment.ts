import { Schema } from "effect"
import { Tenant, Uuid } from "../domain/primitives.ts"
import { EventId } from "./envelope.ts"
import { FulfillmentEvent } from "./fulfillment.ts"

/** A completion the job's derivation found: the `fulfillment` event the live path would have emitted. */
export const DerivedCompletion = Schema.Struct({
  kind: Schema.Literal("completion"),
  jobId: Uuid,
  tenant: Tenant,
  completion: FulfillmentEvent
}).annotate({ identifier: "DerivedCompletion" })

/** The job's derivation is complete: every completion it found is before this on the partition. */
export const DerivationEnd = Schema.Struct({
  kind: Schema.Literal("end"),
  jobId: Uuid,
  tenant: Tenant,
  eventId: EventId,
  completions: Schema.Number
}).annotate({ identifier: "DerivationEnd" })

/**
 * Topic `backfill-fulfillment`: what the fulfillment service derived for one campaign backfill
 * job, keyed by the job's id (so one partition holds a job's events in order), read by that job
 * alone: no live campaign consumer reads it, so no other campaign is credited.
 */
export const BackfillFulfillmentEvent = Schema.Union([DerivedCompletion, DerivationEnd]).annotate({ identifier: "BackfillFulfillmentEvent" })
export type BackfillFulfillmentEvent = typeof BackfillFulfillmentEvent.Type
