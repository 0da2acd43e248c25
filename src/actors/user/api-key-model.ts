import { Schema } from "effect"
import { ApiKeyScope } from "../../auth/principal.ts"
import { Label, Tenant, Uuid, WellFormedString } from "../../domain/primitives.ts"

const Scopes = Schema.Array(ApiKeyScope).check(
  Schema.isMinLength(1, { message: "must name at least one scope" }),
  Schema.isMaxLength(2, { message: "must name each scope at most once" }),
  Schema.isUnique({ message: "must name each scope at most once" })
)

export const ApiKeyInput = Schema.Struct({
  name: Label(100),
  /** A tenant admin's own tenant by default; the platform admin must name one. */
  tenant: Schema.optionalKey(Tenant),
  scopes: Scopes
}).annotate({ identifier: "ApiKeyInput" })
export type ApiKeyInput = typeof ApiKeyInput.Type

/** A key as listed: never its secret, which exists only in the answer that created it. */
export const ApiKey = Schema.Struct({
  id: Uuid,
  name: Schema.String,
  tenant: Tenant,
  scopes: Schema.Array(ApiKeyScope),
  createdAt: Schema.String,
  revokedAt: Schema.NullOr(Schema.String),
  lastUsedAt: Schema.NullOr(Schema.String)
}).annotate({ identifier: "ApiKey" })
export type ApiKey = typeof ApiKey.Type

export const CreatedApiKey = Schema.Struct({
  ...ApiKey.fields,
  key: Schema.String.annotate({ description: "The key itself, shown this once: `lt_<id>_<secret>`" })
}).annotate({ identifier: "CreatedApiKey" })
export type CreatedApiKey = typeof CreatedApiKey.Type

export const ApiKeyList = Schema.Struct({ apiKeys: Schema.Array(ApiKey) }).annotate({ identifier: "ApiKeyList" })

/** Bounded so an oversized body is refused before any hashing. */
export const RawApiKey = WellFormedString.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isMaxLength(200, { message: "must be at most 200 characters" })
)

export const IntrospectionRequest = Schema.Struct({ apiKey: RawApiKey }).annotate({ identifier: "IntrospectionRequest" })

/** What another service needs to act for a key: its tenant and what it may do. */
export const Introspection = Schema.Struct({
  keyId: Uuid,
  tenant: Tenant,
  scopes: Schema.Array(ApiKeyScope)
}).annotate({ identifier: "Introspection" })
export type Introspection = typeof Introspection.Type
