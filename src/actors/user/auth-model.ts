import { Schema } from "effect"
import { ApiKeyScope, Role } from "../../auth/principal.ts"
import { Tenant, Text, UserId, Uuid, WellFormedString } from "../../domain/primitives.ts"
import { OperatorSummary } from "./operator-model.ts"

/** Login takes any bounded text: the policy applies when a password is set, not when it is tried. */
export const LoginRequest = Schema.Struct({
  username: Text(150),
  password: WellFormedString.check(Schema.isMinLength(1, { message: "must not be empty" }), Schema.isMaxLength(200, { message: "must be at most 200 characters" }))
}).annotate({ identifier: "LoginRequest" })
export type LoginRequest = typeof LoginRequest.Type

const RefreshTokenText = WellFormedString.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isMaxLength(200, { message: "must be at most 200 characters" })
)

export const RefreshRequest = Schema.Struct({ refreshToken: RefreshTokenText }).annotate({ identifier: "RefreshRequest" })

export const TokenResponse = Schema.Struct({
  accessToken: Schema.String.annotate({ description: "JWT (EdDSA); send as `Authorization: Bearer <token>`" }),
  tokenType: Schema.Literal("Bearer"),
  expiresIn: Schema.Number.annotate({ description: "Seconds until the access token expires" }),
  refreshToken: Schema.String.annotate({ description: "Opaque; trade it at `/auth/refresh` for a new pair (it is then spent)" }),
  operator: OperatorSummary
}).annotate({ identifier: "TokenResponse" })
export type TokenResponse = typeof TokenResponse.Type

/** An Ed25519 public key as published for verifiers. */
export const PublicJwk = Schema.Struct({
  kty: Schema.Literal("OKP"),
  crv: Schema.Literal("Ed25519"),
  x: Schema.String,
  kid: Schema.String,
  alg: Schema.Literal("EdDSA"),
  use: Schema.Literal("sig")
}).annotate({ identifier: "PublicJwk" })
export type PublicJwk = typeof PublicJwk.Type

export const Jwks = Schema.Struct({ keys: Schema.Array(PublicJwk) }).annotate({ identifier: "Jwks" })
export type Jwks = typeof Jwks.Type

/** `GET /auth/me`: the caller as the credential describes it. */
export const Me = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("operator"),
    operatorId: Uuid,
    username: Schema.String,
    role: Role,
    tenant: Schema.NullOr(Tenant)
  }),
  Schema.Struct({
    kind: Schema.Literal("api-key"),
    keyId: Uuid,
    tenant: Tenant,
    scopes: Schema.Array(ApiKeyScope)
  }),
  Schema.Struct({
    kind: Schema.Literal("member"),
    tenant: Tenant,
    userId: UserId
  })
]).annotate({ identifier: "Me" })
