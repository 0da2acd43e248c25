import { Schema } from "effect"
import { Label, Tenant as TenantSlug } from "../../domain/primitives.ts"

export const TenantInput = Schema.Struct({
  id: TenantSlug,
  name: Label(200)
}).annotate({ identifier: "TenantInput" })
export type TenantInput = typeof TenantInput.Type

export const TenantRecord = Schema.Struct({
  id: TenantSlug,
  name: Schema.String,
  createdAt: Schema.String
}).annotate({ identifier: "Tenant" })
export type TenantRecord = typeof TenantRecord.Type

export const TenantList = Schema.Struct({ tenants: Schema.Array(TenantRecord) }).annotate({ identifier: "TenantList" })
