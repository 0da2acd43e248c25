import { Schema } from "effect"
import { Tenant, UserId } from "../domain/primitives.ts"

/** Operators run a tenant's program (or, as admin, the whole platform). */
export const Role = Schema.Literals(["admin", "tenant-admin", "tenant-viewer"])
export type Role = typeof Role.Type

/** What a machine credential (API key) may do; `members:token` mints member tokens for the shop's app. */
export const ApiKeyScope = Schema.Literals(["events:write", "read", "members:token"])
export type ApiKeyScope = typeof ApiKeyScope.Type

/** Who is calling, once a credential checked out. */
export type Principal =
  | {
    readonly kind: "operator"
    readonly operatorId: string
    readonly username: string
    readonly role: Role
    /** null only for the platform admin. */
    readonly tenant: Tenant | null
  }
  | {
    readonly kind: "api-key"
    readonly keyId: string
    readonly tenant: Tenant
    readonly scopes: ReadonlyArray<ApiKeyScope>
  }
  | {
    /** An end customer, through the shop's app: only their own balance, ledger, progress and redemptions. */
    readonly kind: "member"
    readonly tenant: Tenant
    readonly userId: UserId
  }

/** The claims of an access token (JWT, EdDSA) as the user service issues them. */
export const AccessClaims = Schema.Struct({
  sub: Schema.String,
  /** The session: the refresh-token family the token was issued for; ending the session revokes it. */
  sid: Schema.String,
  username: Schema.String,
  role: Role,
  tenant: Schema.NullOr(Tenant)
})
export type AccessClaims = typeof AccessClaims.Type

/** The claims of a token that verified, with when it was issued (seconds since the epoch). */
export const VerifiedClaims = Schema.Struct({ ...AccessClaims.fields, iat: Schema.Number, exp: Schema.Number })
export type VerifiedClaims = typeof VerifiedClaims.Type

export const tokenIssuer = "loyaltea"
export const tokenAudience = "loyaltea"
/** A member token's audience: an operator token is never taken for one, nor a member token for an operator's. */
export const memberTokenAudience = "loyaltea-member"

/** The claims of a member token: the member (`sub`) and the tenant whose program they are in. */
export const MemberClaims = Schema.Struct({ sub: UserId, tenant: Tenant, iat: Schema.Number, exp: Schema.Number })
export type MemberClaims = typeof MemberClaims.Type

/** No credential, or one that does not check out (expired, revoked, signed by another key). */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.String
}) {
  override get message() {
    return this.reason
  }
}

/**
 * The credential may well be valid, but it cannot be checked right now: the user service (its
 * keys, its introspection route, its revocation list) is out of reach. Answered 503 with
 * `Retry-After`, never as a pass and never as a 401 (the client did nothing wrong).
 */
export class CredentialsUnavailable extends Schema.TaggedError<CredentialsUnavailable>()("CredentialsUnavailable", {
  reason: Schema.String
}) {
  override get message() {
    return this.reason
  }
}
