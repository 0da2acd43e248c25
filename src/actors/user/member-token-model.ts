import { Schema } from "effect"
import { memberTokenDefaultTtlSeconds, memberTokenMaxTtlSeconds } from "../../auth/access-token.ts"
import { Tenant } from "../../domain/primitives.ts"

/** `POST /members/{userId}/token`: how long the token lasts, and (for the platform admin) which tenant it is for. */
export const MemberTokenRequest = Schema.Struct({
  ttlSeconds: Schema.optionalKey(Schema.Int.check(
    Schema.isGreaterThanOrEqualTo(60, { message: "must be at least 60" }),
    Schema.isLessThanOrEqualTo(memberTokenMaxTtlSeconds, { message: `must be at most ${memberTokenMaxTtlSeconds}` })
  ).annotate({ description: `Seconds the token is valid, 60 to ${memberTokenMaxTtlSeconds} (default ${memberTokenDefaultTtlSeconds})`, examples: [900] })),
  tenant: Schema.optionalKey(Tenant.annotate({ description: "The member's tenant; only needed by the platform admin (others mint for their own)" }))
}).annotate({ identifier: "MemberTokenRequest", examples: [{ ttlSeconds: 900, tenant: "meiwei" as Tenant }] })
export type MemberTokenRequest = typeof MemberTokenRequest.Type

export const MemberToken = Schema.Struct({
  token: Schema.String.annotate({ description: "An EdDSA JWT for `Authorization: Bearer`, good only for this member's own routes" }),
  expiresAt: Schema.String.annotate({ description: "When it stops working (ISO-8601)", format: "date-time" }),
  userId: Schema.String,
  tenant: Schema.String
}).annotate({
  identifier: "MemberToken",
  examples: [{ token: "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyJ0ZW5hbnQiOiJtZWl3ZWkifQ.c2lnbmF0dXJl", expiresAt: "2026-03-01T09:45:00.000Z", userId: "u-1001", tenant: "meiwei" }]
})
export type MemberToken = typeof MemberToken.Type
