import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import type { EventIngestion } from "../actors/fulfillment/ingestion.ts"
import {
  BuyFulfillment,
  BuyFulfillmentInput,
  BuyFulfillmentUpdate,
  TagFulfillment,
  TagFulfillmentInput,
  TagFulfillmentUpdate
} from "../actors/fulfillment/model.ts"
import { FulfillmentUseCases } from "../actors/fulfillment/service.ts"
import { Uuid } from "../domain/primitives.ts"
import { fulfillmentEventRoutes } from "./fulfillment-events.ts"
import { fulfillmentProgressRoutes } from "./fulfillment-progress.ts"
import { heldRefundRoutes } from "./held-refunds.ts"
import { PageQuery, pageOf, TenantQuery } from "./params.ts"
import { accessControl } from "./access.ts"
import { narrow, type TenantScope } from "../domain/tenant-scope.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"



const FulfillmentParams = input(Schema.Struct({ fulfillmentId: Uuid }), "params")
const ListQuery = input(Schema.Struct({ ...TenantQuery, ...PageQuery }), "query")
// Not `Schema.Undefined`: the OpenAPI plugin turns a null-typed response into invalid `content`.
const noContent = standard(Schema.Unknown.annotate({ description: "Deleted; no body" }))
const errors = { 400: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse }

const goalsText =
  "Without goal fields each qualifying event completes the fulfillment once. With them, it completes when the user's qualifying events " +
  "not yet used number at least `count` and (purchases) add up to at least `total`, all within the rolling `within` or in one calendar " +
  "`period` of the tenant's time zone, judged on event time; the fewest earliest such events are used, and the next round starts from the rest. " +
  "Events that can no longer share a window with the latest one counted stop counting. `within` and `period` together, `count` 0, " +
  "`total` ≤ 0 or a duration in months or years are refused with 422 naming the field. Changing the fulfillment starts every user's progress over."

/** Nothing is visible through a `?tenant=` outside the caller's scope. */
const orEmpty = <A, E, R>(scope: TenantScope | undefined, f: (scope: TenantScope) => Effect.Effect<ReadonlyArray<A>, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  scope ? f(scope) : Effect.succeed([])

const buyRoutes = (run: Runner<FulfillmentUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-buy-fulfillment-routes" })
    .use(accessControl(run))
    .post("/buy-fulfillments/", ({ body, scope, set }) => run(set, FulfillmentUseCases.use((u) => u.buy.create(scope, body)), 201), {
      access: "write",
      body: input(BuyFulfillmentInput),
      response: { 201: standard(BuyFulfillment), ...errors },
      detail: {
        tags: ["fulfillments"],
        summary: "Create a buy fulfillment: a purchase of `product` (empty: any) for at least `amount`; with `count`, `total`, `within` or `period` a cumulative goal",
        description: goalsText
      }
    })
    .get("/buy-fulfillments/", ({ query, scope, set }) =>
      run(set, orEmpty(narrow(scope, query.tenant), (s) => FulfillmentUseCases.use((u) => u.buy.list(s, pageOf(query))))), {
      access: "read",
      query: ListQuery,
      response: { 200: standard(Schema.Array(BuyFulfillment)), ...errors },
      detail: { tags: ["fulfillments"], summary: "List buy fulfillments, optionally of one tenant" }
    })
    .get("/buy-fulfillments/:fulfillmentId/", ({ params, scope, set }) => run(set, FulfillmentUseCases.use((u) => u.buy.get(scope, params.fulfillmentId))), {
      access: "read",
      params: FulfillmentParams,
      response: { 200: standard(BuyFulfillment), ...errors },
      detail: { tags: ["fulfillments"], summary: "Get a buy fulfillment" }
    })
    .put("/buy-fulfillments/:fulfillmentId/", ({ body, params, scope, set }) =>
      run(set, FulfillmentUseCases.use((u) => u.buy.update(scope, params.fulfillmentId, body))), {
      access: "write",
      params: FulfillmentParams,
      body: input(BuyFulfillmentUpdate),
      response: { 200: standard(BuyFulfillment), ...errors },
      detail: { tags: ["fulfillments"], summary: "Change a buy fulfillment's product and amount (and name); the next events use it" }
    })
    .delete("/buy-fulfillments/:fulfillmentId/", ({ params, scope, set }) =>
      run(set, FulfillmentUseCases.use((u) => u.buy.delete(scope, params.fulfillmentId)), 204), {
      access: "write",
      params: FulfillmentParams,
      response: { 204: noContent, ...errors },
      detail: { tags: ["fulfillments"], summary: "Delete a buy fulfillment" }
    })

const tagRoutes = (run: Runner<FulfillmentUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-tag-fulfillment-routes" })
    .use(accessControl(run))
    .post("/tag-fulfillments/", ({ body, scope, set }) => run(set, FulfillmentUseCases.use((u) => u.tag.create(scope, body)), 201), {
      access: "write",
      body: input(TagFulfillmentInput),
      response: { 201: standard(TagFulfillment), ...errors },
      detail: { tags: ["fulfillments"], summary: "Create a tag fulfillment: an activity with `tag`; with `count`, `within` or `period` a cumulative goal", description: goalsText }
    })
    .get("/tag-fulfillments/", ({ query, scope, set }) =>
      run(set, orEmpty(narrow(scope, query.tenant), (s) => FulfillmentUseCases.use((u) => u.tag.list(s, pageOf(query))))), {
      access: "read",
      query: ListQuery,
      response: { 200: standard(Schema.Array(TagFulfillment)), ...errors },
      detail: { tags: ["fulfillments"], summary: "List tag fulfillments, optionally of one tenant" }
    })
    .get("/tag-fulfillments/:fulfillmentId/", ({ params, scope, set }) => run(set, FulfillmentUseCases.use((u) => u.tag.get(scope, params.fulfillmentId))), {
      access: "read",
      params: FulfillmentParams,
      response: { 200: standard(TagFulfillment), ...errors },
      detail: { tags: ["fulfillments"], summary: "Get a tag fulfillment" }
    })
    .put("/tag-fulfillments/:fulfillmentId/", ({ body, params, scope, set }) =>
      run(set, FulfillmentUseCases.use((u) => u.tag.update(scope, params.fulfillmentId, body))), {
      access: "write",
      params: FulfillmentParams,
      body: input(TagFulfillmentUpdate),
      response: { 200: standard(TagFulfillment), ...errors },
      detail: { tags: ["fulfillments"], summary: "Change a tag fulfillment's tag (and name); the next events use it" }
    })
    .delete("/tag-fulfillments/:fulfillmentId/", ({ params, scope, set }) =>
      run(set, FulfillmentUseCases.use((u) => u.tag.delete(scope, params.fulfillmentId)), 204), {
      access: "write",
      params: FulfillmentParams,
      response: { 204: noContent, ...errors },
      detail: { tags: ["fulfillments"], summary: "Delete a tag fulfillment" }
    })

/** The fulfillment service's port: both kinds of fulfillment, users' progress, and event ingestion over HTTP. */
export const fulfillmentRoutes = (run: Runner<FulfillmentUseCases | EventIngestion | Authenticator>) =>
  new Elysia({ name: "loyaltea-fulfillment-routes" })
    .use(buyRoutes(run))
    .use(tagRoutes(run))
    .use(fulfillmentProgressRoutes(run))
    .use(fulfillmentEventRoutes(run))
    .use(heldRefundRoutes(run))
