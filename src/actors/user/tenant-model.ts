import { Schema } from "effect"
import { Label, Tenant as TenantSlug, TimeZone } from "../../domain/primitives.ts"

const AllowEventsWithoutId = Schema.Boolean.annotate({
  description:
    "Whether events sent over HTTP without an `eventId`, an `Idempotency-Key` or an `orderId` are accepted (each gets a random id, so a retried request is credited twice). Default false: such requests are refused with 422."
})

export const TenantInput = Schema.Struct({
  id: TenantSlug,
  name: Label(200),
  allowEventsWithoutId: Schema.optionalKey(AllowEventsWithoutId),
  timeZone: Schema.optionalKey(TimeZone)
}).annotate({ identifier: "TenantInput", examples: [{ id: "meiwei" as never, name: "Meiwei Bakery", timeZone: "Europe/Berlin" }] })
export type TenantInput = typeof TenantInput.Type

/** What may change about a tenant; what is left out stays as it is. */
export const TenantUpdate = Schema.Struct({
  name: Schema.optionalKey(Label(200)),
  allowEventsWithoutId: Schema.optionalKey(AllowEventsWithoutId),
  timeZone: Schema.optionalKey(TimeZone)
}).annotate({ identifier: "TenantUpdate", examples: [{ name: "Meiwei Bakery & Tea", allowEventsWithoutId: false, timeZone: "Europe/Berlin" }] })
export type TenantUpdate = typeof TenantUpdate.Type

export const TenantRecord = Schema.Struct({
  id: TenantSlug,
  name: Schema.String,
  allowEventsWithoutId: Schema.Boolean,
  timeZone: Schema.String,
  /** Grows with every change; the other services apply a tenant's changes in this order. */
  version: Schema.Number,
  createdAt: Schema.String,
  updatedAt: Schema.String
}).annotate({ identifier: "Tenant" })
export type TenantRecord = typeof TenantRecord.Type

export const TenantList = Schema.Struct({ tenants: Schema.Array(TenantRecord) }).annotate({ identifier: "TenantList" })
