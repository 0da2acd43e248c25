import { Schema } from "effect"
import { Label, Tenant } from "../../domain/primitives.ts"

/** The original body, `{fullname, username}`; the tenant comes from the credential unless given. */
export const MemberInput = Schema.Struct({
  fullname: Label(200),
  username: Label(150),
  tenant: Schema.optionalKey(Tenant)
}).annotate({ identifier: "MemberInput" })
export type MemberInput = typeof MemberInput.Type

export const Member = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  fullname: Schema.String,
  username: Schema.String,
  createdAt: Schema.String
}).annotate({ identifier: "Member" })
export type Member = typeof Member.Type

export const MemberList = Schema.Struct({ users: Schema.Array(Member) }).annotate({ identifier: "MemberList" })
