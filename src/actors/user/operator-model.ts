import { Schema } from "effect"
import { Role } from "../../auth/principal.ts"
import { Tenant, Uuid, WellFormedString } from "../../domain/primitives.ts"

/** Printable, no spaces: what people type as a login name; anything else is refused, never rewritten. */
export const Username = WellFormedString.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isMaxLength(150, { message: "must be at most 150 characters" }),
  Schema.isPattern(/^[^\s\u0000-\u001f\u007f]+$/, { message: "must not contain spaces or control characters" })
).annotate({ description: "Login name, e.g. `ada`" })

export const passwordMinLength = 12
export const passwordMaxLength = 200

/** The password policy: long enough to resist guessing, short enough to hash cheaply. */
export const Password = WellFormedString.check(
  Schema.isMinLength(passwordMinLength, { message: `must be at least ${passwordMinLength} characters` }),
  Schema.isMaxLength(passwordMaxLength, { message: `must be at most ${passwordMaxLength} characters` })
).annotate({ description: `${passwordMinLength} to ${passwordMaxLength} characters`, format: "password", examples: ["correct-horse-battery-staple"] })

export const OperatorInput = Schema.Struct({
  username: Username,
  password: Password,
  role: Role,
  /** Required for tenant roles (a tenant admin's own tenant by default); absent for `admin`. */
  tenant: Schema.optionalKey(Tenant.annotate({
    description: "The operator's tenant: required (422 otherwise) when the platform admin creates a tenant-admin or tenant-viewer; a tenant admin's own tenant when left out; absent for role admin",
    examples: ["meiwei" as never]
  }))
}).annotate({
  identifier: "OperatorInput",
  examples: [{ username: "ada", password: "correct-horse-battery-staple", role: "tenant-admin", tenant: "meiwei" as never }]
})
export type OperatorInput = typeof OperatorInput.Type

export const Operator = Schema.Struct({
  id: Uuid,
  username: Schema.String,
  role: Role,
  tenant: Schema.NullOr(Tenant),
  createdAt: Schema.String,
  disabledAt: Schema.NullOr(Schema.String)
}).annotate({ identifier: "Operator" })
export type Operator = typeof Operator.Type

/**
 * The username is taken: by an operator of the caller's tenant, of another tenant, or a platform
 * admin. Usernames are unique across the platform (a login names no tenant), so the answer says no
 * more than this, whoever holds the name.
 */
export class UsernameUnavailable extends Schema.TaggedError<UsernameUnavailable>()("UsernameUnavailable", {
  field: Schema.Literal("username")
}) {
  override get message() {
    return "username unavailable"
  }
}

export const OperatorList = Schema.Struct({ operators: Schema.Array(Operator) }).annotate({ identifier: "OperatorList" })

/** The operator as a session sees it. */
export const OperatorSummary = Schema.Struct({
  id: Uuid,
  username: Schema.String,
  role: Role,
  tenant: Schema.NullOr(Tenant)
}).annotate({ identifier: "OperatorSummary" })
export type OperatorSummary = typeof OperatorSummary.Type
