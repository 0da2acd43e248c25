import { Schema } from "effect"
import { isTimeZone } from "./calendar.ts"

/**
 * For a check JSON Schema cannot express (it says nothing there): without it the check would also
 * hide the annotations that follow it (description, examples) from the OpenAPI document.
 */
export const opaqueToJsonSchema = { toJsonSchema: () => ({}) }

/**
 * The base of every string an input schema accepts (HTTP and Kafka alike). A lone UTF-16
 * surrogate (`"\ud800"` in JSON) has no UTF-8 form: PostgreSQL would store it as U+FFFD, so
 * `sur\ud800` and `sur\udbff` would become one user with one balance. Refused, never rewritten.
 */
export const WellFormedString = Schema.String.check(
  Schema.makeFilter((text: string) => text.isWellFormed() || "must be well-formed Unicode (no lone surrogates)", opaqueToJsonSchema)
)

/** A tenant (shop, brand): a short slug, as it appears in events, keys and URLs. */
export const Tenant = WellFormedString.check(
  Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    message: "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
  })
).pipe(Schema.brand("Tenant")).annotate({ description: "Tenant slug, e.g. `meiwei`", examples: ["meiwei" as never] })
export type Tenant = typeof Tenant.Type

/** The end customer's id in the tenant's own systems (often a UUID). */
export const UserId = WellFormedString.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isMaxLength(200, { message: "must be at most 200 characters" }),
  Schema.isPattern(/^[^\s\u0000-\u001f][^\u0000-\u001f]*$/, { message: "must not contain control characters or start with a space" })
).pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

export const Uuid = WellFormedString.check(Schema.isUUID(undefined, { message: "must be a UUID" }))

/**
 * Bounded text, stored literally: control characters are refused (PostgreSQL text cannot even hold
 * NUL, and none belongs in a name, a reason or an id).
 */
export const Text = (max: number, min = 1) => {
  const bounded = WellFormedString.check(
    Schema.isMaxLength(max, { message: `must be at most ${max} characters` }),
    Schema.isPattern(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, { message: "must not contain control characters" })
  )
  return min > 0 ? bounded.check(Schema.isMinLength(min, { message: "must not be empty" })) : bounded
}

/** Free text shown to operators (names, reasons). */
export const Label = (max: number) => Text(max)

/** Places after the point of the shortest text of `value`; `1e30` has none, `1.5e-7` has eight. */
const decimalPlaces = (value: number) => {
  const [mantissa = "", exponent = "0"] = String(value).toLowerCase().split("e")
  const dot = mantissa.indexOf(".")
  const fraction = dot < 0 ? 0 : mantissa.length - dot - 1
  return Math.max(0, fraction - Number(exponent))
}

/**
 * Points and amounts: decimal numbers with at most 4 places and 15 significant digits, so the
 * JSON number, its shortest text and the `numeric` column all denote the same exact value.
 */
const decimal = (max: number, what: string) =>
  Schema.Finite.check(
    Schema.makeFilter((value: number) => decimalPlaces(value) <= 4 || "must have at most 4 decimal places", opaqueToJsonSchema),
    Schema.isLessThanOrEqualTo(max, { message: `must be at most ${max}` })
  ).annotate({ description: what })

/** A positive decimal of points' range (points, an earn rate, a unit of spend), described as `what`. */
export const PositiveDecimal = (what: string) =>
  decimal(1_000_000_000, what).check(Schema.isGreaterThan(0, { message: "must be greater than 0" }))

export const Points = PositiveDecimal("Points: a positive decimal with at most 4 places")
export const Amount = decimal(100_000_000_000, "A purchase amount: a decimal ≥ 0 with at most 4 places").check(
  Schema.isGreaterThanOrEqualTo(0, { message: "must be at least 0" })
)

/**
 * Points as exact decimal text (`"1234567890.1234"`), where they arrive as text (imports): above 0,
 * at most 12 digits before the point and 4 after, read by `Decimal.fromText`, never by a float.
 */
export const PointsText = WellFormedString.check(
  Schema.makeFilter((text: string) => /^\d{1,12}(\.\d{1,4})?$/.test(text) || "must be a decimal with at most 12 digits before the point and 4 after, e.g. 1250.5", opaqueToJsonSchema),
  Schema.makeFilter((text: string) => /[1-9]/.test(text) || "must be greater than 0", opaqueToJsonSchema)
).annotate({ description: "Points as an exact decimal: above 0, at most 4 places", examples: ["1250.5"] })

/** The exact decimal text of a validated number, for `numeric` parameters. */
export const decimalText = (value: number): string => String(value)

/** An IANA time zone name (`Europe/Berlin`, `UTC`): where a tenant's days, weeks and months begin. */
export const TimeZone = WellFormedString.check(
  Schema.makeFilter((name: string) => (name.length <= 64 && isTimeZone(name)) || "must be an IANA time zone such as Europe/Berlin or UTC", opaqueToJsonSchema)
).annotate({ description: "An IANA time zone: where the tenant's calendar days, weeks and months begin", examples: ["Europe/Berlin"] })
