import type { Authenticator } from "../auth/authenticator.ts"
import { Schema } from "effect"
import { Elysia } from "elysia"
import { MemberToken, MemberTokenRequest } from "../actors/user/member-token-model.ts"
import { MemberTokens } from "../actors/user/member-tokens.ts"
import { UserId } from "../domain/primitives.ts"
import { accessControl } from "./access.ts"
import { asCaller } from "./caller.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 422: errorResponse }

/** `POST /members/{userId}/token`: the shop's backend gets a member token for its app. */
export const memberTokenRoutes = (run: Runner<MemberTokens | Authenticator>) =>
  new Elysia({ name: "loyaltea-member-token-routes" })
    .use(accessControl(run))
    .post("/members/:userId/token", ({ body, params, principal, set }) =>
      run(set, asCaller(principal, (p) => MemberTokens.use((m) => m.mint(p, params.userId, body))), 201), {
      access: "member-token",
      params: input(Schema.Struct({ userId: UserId }), "params"),
      body: input(Schema.NullishOr(MemberTokenRequest)),
      response: { 201: standard(MemberToken), ...errors },
      detail: {
        tags: ["members"],
        summary: "Mint a short-lived member token for one user: it reads only that user's balance, ledger and campaign progress, and redeems within the program's limits",
        description: "For an API key with the `members:token` scope, a tenant admin, or the platform admin (naming `tenant`). " +
          "The token cannot be revoked; it lasts `ttlSeconds` (default 900, at most 3600). An operator token is never accepted as a member token, nor the reverse."
      }
    })
