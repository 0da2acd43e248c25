import { Schema } from "effect"
import { Tenant } from "../domain/primitives.ts"

const IntFromString = (min: number, max: number) =>
  Schema.NumberFromString.check(
    Schema.isInt({ message: "must be a whole number" }),
    Schema.isBetween({ minimum: min, maximum: max }, { message: `must be between ${min} and ${max}` })
  )

/** `?limit=&offset=` for list routes. */
export const PageQuery = {
  limit: Schema.optionalKey(IntFromString(1, 1000).annotate({ description: "At most this many items (default 100)" })),
  offset: Schema.optionalKey(IntFromString(0, 1_000_000_000).annotate({ description: "Skip this many items" }))
}

export const pageOf = (query: { readonly limit?: number; readonly offset?: number }) => ({
  limit: query.limit ?? 100,
  offset: query.offset ?? 0
})

/** `?tenant=` narrows a read to one tenant. */
export const TenantQuery = {
  tenant: Schema.optionalKey(Tenant)
}

export const LimitQuery = { limit: PageQuery.limit }
export const BeforeQuery = {
  before: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^\d{1,19}$/, { message: "must be a ledger entry id" })))
}
