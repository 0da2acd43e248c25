import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { actorOf } from "../actors/reward/lifecycle/service.ts"
import { Balance, Ledger, LedgerKind, Redemption, RedemptionRequest, Reward, RewardInput, RewardUpdate } from "../actors/reward/model.ts"
import { RewardUseCases } from "../actors/reward/service.ts"
import type { PointsLifecycle } from "../actors/reward/lifecycle/service.ts"
import { rewardLifecycleRoutes } from "./reward-lifecycle.ts"
import { UserId, Uuid } from "../domain/primitives.ts"
import { BeforeQuery, LimitQuery, PageQuery, pageOf, TenantQuery } from "./params.ts"
import { accessControl } from "./access.ts"
import { narrow, type TenantScope } from "../domain/tenant-scope.ts"
import { tenantToRead } from "../domain/tenant-guard.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"


const RewardParams = input(Schema.Struct({ rewardId: Uuid }), "params")
const UserParams = input(Schema.Struct({ userId: UserId }), "params")
const errors = { 400: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse }

/** Nothing is visible through a `?tenant=` outside the caller's scope. */
const orEmpty = <A, E, R>(scope: TenantScope | undefined, f: (scope: TenantScope) => Effect.Effect<ReadonlyArray<A>, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  scope ? f(scope) : Effect.succeed([])

export const rewardRoutes = (run: Runner<RewardUseCases | PointsLifecycle | Authenticator>) =>
  new Elysia({ name: "loyaltea-reward-routes" })
    .use(accessControl(run))
    .use(rewardLifecycleRoutes(run))
    .post("/rewards/", ({ body, scope, set }) => run(set, RewardUseCases.use((u) => u.createReward(scope, body)), 201), {
      access: "write",
      body: input(RewardInput),
      response: { 201: standard(Reward), ...errors },
      detail: { tags: ["rewards"], summary: "Create a reward: fixed points per completion, or per_amount points on the spend (reward_id generated when absent)" }
    })
    .get("/rewards/", ({ query, scope, set }) =>
      run(set, orEmpty(narrow(scope, query.tenant), (s) => RewardUseCases.use((u) => u.listRewards(s, pageOf(query))))), {
      access: "read",
      query: input(Schema.Struct({ ...TenantQuery, ...PageQuery }), "query"),
      response: { 200: standard(Schema.Array(Reward)), ...errors },
      detail: { tags: ["rewards"], summary: "List rewards, optionally of one tenant" }
    })
    .get("/rewards/:rewardId/", ({ params, scope, set }) => run(set, RewardUseCases.use((u) => u.getReward(scope, params.rewardId))), {
      access: "read",
      params: RewardParams,
      response: { 200: standard(Reward), ...errors },
      detail: { tags: ["rewards"], summary: "Get a reward" }
    })
    .put("/rewards/:rewardId/", ({ body, params, scope, set }) => run(set, RewardUseCases.use((u) => u.updateReward(scope, params.rewardId, body))), {
      access: "write",
      params: RewardParams,
      body: input(RewardUpdate),
      response: { 200: standard(Reward), ...errors },
      detail: { tags: ["rewards"], summary: "Replace a reward's earning rule (a field left out takes its default) and optionally its name" }
    })
    .delete("/rewards/:rewardId/", ({ params, scope, set }) => run(set, RewardUseCases.use((u) => u.deleteReward(scope, params.rewardId)), 204), {
      access: "write",
      params: RewardParams,
      response: { 204: standard(Schema.Undefined), ...errors },
      detail: { tags: ["rewards"], summary: "Delete a reward (published as deleted on reward-definition; later reward events for it are dead-lettered)" }
    })
    .get("/user-rewards/", ({ query, scope, set }) =>
      run(set, orEmpty(narrow(scope, query.tenant), (s) => RewardUseCases.use((u) => u.listBalances(s, query.user_id, pageOf(query))))), {
      access: "read",
      query: input(Schema.Struct({ ...TenantQuery, user_id: Schema.optionalKey(UserId), ...PageQuery }), "query"),
      response: { 200: standard(Schema.Array(Balance)), ...errors },
      detail: { tags: ["balances"], summary: "List users' balances, optionally of one tenant or one user" }
    })
    .get("/user-rewards/:userId/ledger", ({ params, query, scope, set }) =>
      run(set, tenantToRead(scope, query.tenant, "a user has one balance per tenant").pipe(Effect.flatMap((tenant) =>
        RewardUseCases.use((u) => u.ledger(tenant, params.userId, { limit: query.limit ?? 100, before: query.before, kind: query.kind }))))), {
      access: "member",
      params: UserParams,
      query: input(Schema.Struct({ ...TenantQuery, ...LimitQuery, ...BeforeQuery, kind: Schema.optionalKey(LedgerKind) }), "query"),
      response: { 200: standard(Ledger), ...errors },
      detail: { tags: ["balances"], summary: "The ledger entries behind a balance, newest first, optionally of one kind; each says what caused it and who made it" }
    })
    .post("/user-rewards/:userId/redemptions", async ({ body, params, principal, scope, set }) => {
      const outcome = await run(set, RewardUseCases.use((u) => u.redeem(scope, params.userId, body, actorOf(principal))), 201)
      if ("replayed" in outcome && outcome.replayed) set.status = 200
      return "redemption" in outcome ? outcome.redemption : outcome
    }, {
      access: "redeem",
      params: UserParams,
      body: input(RedemptionRequest),
      response: { 200: standard(Redemption), 201: standard(Redemption), ...errors },
      detail: {
        tags: ["balances"],
        summary: "Exchange points: debits atomically; 409 with the balance when it would go below zero; a repeated idempotency key answers 200 with the original redemption",
        description: "With a member token, only for the member's own user id and within the program's `member_redemption` limits: " +
          "403 while it is not enabled, 422 (`points`) above `max_points_per_redemption`, 409 `MemberRedemptionLimit` past `max_points_per_day`."
      }
    })
