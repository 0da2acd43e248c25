import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { Adjustment, AdjustmentRequest, BalanceDetail } from "../actors/reward/lifecycle/model.ts"
import { PointsLifecycle } from "../actors/reward/lifecycle/service.ts"
import { Program, ProgramInput, ProgramParams } from "../actors/reward/program/model.ts"
import { EventId } from "../events/envelope.ts"
import { UserId } from "../domain/primitives.ts"
import { tenantToRead } from "../domain/tenant-guard.ts"
import { TenantQuery } from "./params.ts"
import { accessControl } from "./access.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const UserParams = input(Schema.Struct({ userId: UserId }), "params")
const errors = { 400: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse }

const AdjustmentHeaders = standard(Schema.Struct({
  "idempotency-key": Schema.optionalKey(EventId.annotate({ description: "The adjustment's idempotency key, when the body carries none" }))
}))

/** The points lifecycle: a tenant's program, a balance in full, operators' adjustments. */
export const rewardLifecycleRoutes = (run: Runner<PointsLifecycle | Authenticator>) =>
  new Elysia({ name: "loyaltea-reward-lifecycle-routes" })
    .use(accessControl(run))
    .get("/programs/:tenant", ({ params, scope, set }) => run(set, PointsLifecycle.use((p) => p.program(scope, params.tenant))), {
      access: "read",
      params: input(ProgramParams, "params"),
      response: { 200: standard(Program), ...errors },
      detail: { tags: ["programs"], summary: "A tenant's points program (the defaults, with updated_at null, while it has set none)" }
    })
    .put("/programs/:tenant", ({ body, params, scope, set }) => run(set, PointsLifecycle.use((p) => p.saveProgram(scope, params.tenant, body))), {
      access: "write",
      params: input(ProgramParams, "params"),
      body: input(ProgramInput),
      response: { 200: standard(Program), ...errors },
      detail: {
        tags: ["programs"],
        summary: "Replace a tenant's points program (a field left out takes its default): pending days, expiry, negative balances, tiers. " +
          "It applies to credits from then on; a lot keeps the dates it was given"
      }
    })
    .get("/user-rewards/:userId/", ({ params, query, scope, set }) =>
      run(set, tenantToRead(scope, query.tenant, "a user has one balance per tenant").pipe(Effect.flatMap((tenant) => PointsLifecycle.use((p) => p.balance(tenant, params.userId))))), {
      access: "member",
      params: UserParams,
      query: input(Schema.Struct(TenantQuery), "query"),
      response: { 200: standard(BalanceDetail), ...errors },
      detail: { tags: ["balances"], summary: "One user's balance in a tenant: spendable points, pending, earned, tier and the next expiries (0 when nothing was earned)" }
    })
    .post("/user-rewards/:userId/adjustments", async ({ body, headers, params, principal, scope, set }) => {
      const outcome = await run(set, PointsLifecycle.use((p) => p.adjust(scope, principal, params.userId, body, headers["idempotency-key"])), 201)
      if ("replayed" in outcome && outcome.replayed) set.status = 200
      return "adjustment" in outcome ? outcome.adjustment : outcome
    }, {
      access: "write",
      params: UserParams,
      headers: AdjustmentHeaders,
      body: input(AdjustmentRequest),
      response: { 200: standard(Adjustment), 201: standard(Adjustment), ...errors },
      detail: {
        tags: ["balances"],
        summary: "Correct a balance by hand (points + or -, with a reason), recorded with the operator who did it; " +
          "a repeated idempotency key (body or Idempotency-Key header) answers 200 with the original adjustment, never adjusts twice"
      }
    })
