import { Schema } from "effect"
import { Tenant, Text, TimeZone } from "../domain/primitives.ts"
import { EventId } from "./envelope.ts"

/**
 * A tenant as the user service publishes it (topic `tenant`, keyed by the tenant): every service
 * keeps its own copy, so it can refuse data for tenants that do not exist without reading the
 * user service's tables. `version` grows with every change; an older copy never replaces a newer.
 */
export const TenantEvent = Schema.Struct({
  tenant: Tenant,
  name: Text(200),
  allowEventsWithoutId: Schema.Boolean,
  /** The IANA zone its calendar periods are counted in (absent in events from before: UTC). */
  timeZone: Schema.optionalKey(TimeZone),
  version: Schema.Int.check(Schema.isGreaterThan(0, { message: "must be positive" })),
  eventId: EventId
}).annotate({ identifier: "TenantEvent" })
export type TenantEvent = typeof TenantEvent.Type

/** One id per tenant version, so a republished version is recognised as a duplicate. */
export const tenantEventId = (tenant: string, version: number) => `tenant:${tenant}:v${version}`
