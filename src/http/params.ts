import { Schema, SchemaTransformation } from "effect"
import { Tenant, WellFormedString, opaqueToJsonSchema } from "../domain/primitives.ts"

// A query value is text on the wire; its document says what it holds: an integer in a range.
const IntFromString = (min: number, max: number) =>
  Schema.String.check(
    Schema.makeFilter((text: string) => /^\d{1,16}$/.test(text) || "must be a whole number", { toJsonSchema: () => ({ type: "integer", minimum: min, maximum: max }) })
  ).pipe(
    Schema.decodeTo(
      Schema.Number.check(Schema.isBetween({ minimum: min, maximum: max }, { message: `must be between ${min} and ${max}` })),
      SchemaTransformation.numberFromString
    )
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

// Ledger ids are PostgreSQL bigints: 19 digits can still be past the largest one.
const maxBigint = 9223372036854775807n
const digits = /^\d{1,19}$/
const LedgerId = WellFormedString.check(
  Schema.isPattern(digits, { message: "must be a ledger entry id" }),
  // Text the pattern refuses is already reported by it.
  Schema.makeFilter((text: string) => !digits.test(text) || BigInt(text) <= maxBigint || "must be a ledger entry id", opaqueToJsonSchema)
)

export const BeforeQuery = {
  before: Schema.optionalKey(LedgerId.annotate({ description: "The `nextBefore` of the previous page" }))
}
