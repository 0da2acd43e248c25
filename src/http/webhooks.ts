import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { CreatedWebhook, Delivery, DeliveryStatus, Webhook, WebhookInput, WebhookSecret, WebhookUpdate } from "../actors/reward/webhooks/model.ts"
import { WebhookUseCases } from "../actors/reward/webhooks/service.ts"
import { Uuid, WellFormedString } from "../domain/primitives.ts"
import { narrow, type TenantScope } from "../domain/tenant-scope.ts"
import { accessControl } from "./access.ts"
import type { Page } from "../domain/page.ts"
import { CursorQuery, ListPage, pageRequest } from "./list-page.ts"
import { TenantQuery } from "./params.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const DeliveryId = WellFormedString.check(Schema.isPattern(/^\d{1,18}$/, { message: "must be a delivery id" })).annotate({ examples: ["42"] })
const WebhookParams = input(Schema.Struct({ webhookId: Uuid }), "params")
const SecretParams = input(Schema.Struct({ webhookId: Uuid, secretId: Uuid }), "params")
const DeliveryParams = input(Schema.Struct({ webhookId: Uuid, deliveryId: DeliveryId }), "params")
const DeliveriesQuery = input(Schema.Struct({ ...CursorQuery(["id"]), status: Schema.optionalKey(DeliveryStatus) }), "query")
const invalid = { 400: errorResponse, 403: errorResponse, 422: errorResponse }
const errors = { ...invalid, 404: errorResponse }
const conflicts = { ...errors, 409: errorResponse }
const tags = ["webhooks"]

const orEmpty = <A, E, R>(scope: TenantScope | undefined, f: (scope: TenantScope) => Effect.Effect<Page<A>, E, R>): Effect.Effect<Page<A>, E, R> =>
  scope ? f(scope) : Effect.succeed({ items: [], nextCursor: null })

/** `/webhooks`: a tenant's endpoints, their signing secrets, their delivery logs and redelivery. */
export const webhookRoutes = (run: Runner<WebhookUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-webhook-routes" })
    .use(accessControl(run))
    .post("/webhooks", ({ body, scope, set }) => run(set, WebhookUseCases.use((u) => u.create(scope, body)), 201), {
      access: "write",
      body: input(WebhookInput),
      response: { 201: standard(CreatedWebhook), ...invalid },
      detail: { tags, summary: "Create a webhook endpoint for some event types; the answer carries its signing secret, shown only here" }
    })
    .get("/webhooks", ({ query, scope, set }) => run(set, orEmpty(narrow(scope, query.tenant), (s) => WebhookUseCases.use((u) => u.list(s, pageRequest(query))))), {
      access: "read",
      query: input(Schema.Struct({ ...TenantQuery, ...CursorQuery(["time", "uuid"]) }), "query"),
      response: { 200: standard(ListPage(Webhook)), ...invalid },
      detail: { tags, summary: "List webhook endpoints, oldest first, optionally of one tenant (a page at a time: pass `nextCursor` as `cursor`)" }
    })
    .get("/webhooks/:webhookId", ({ params, scope, set }) => run(set, WebhookUseCases.use((u) => u.get(scope, params.webhookId))), {
      access: "read",
      params: WebhookParams,
      response: { 200: standard(Webhook), ...errors },
      detail: { tags, summary: "Get a webhook endpoint (its secrets are listed without their values)" }
    })
    .put("/webhooks/:webhookId", ({ body, params, scope, set }) => run(set, WebhookUseCases.use((u) => u.update(scope, params.webhookId, body))), {
      access: "write",
      params: WebhookParams,
      body: input(WebhookUpdate),
      response: { 200: standard(Webhook), ...errors },
      detail: { tags, summary: "Replace an endpoint's URL, event types and state; enabling it again clears a disabling after sustained failure" }
    })
    .delete("/webhooks/:webhookId", ({ params, scope, set }) => run(set, WebhookUseCases.use((u) => u.remove(scope, params.webhookId)), 204), {
      access: "write",
      params: WebhookParams,
      response: { 204: standard(Schema.Undefined), ...errors },
      detail: { tags, summary: "Delete an endpoint with its secrets and delivery log (nothing more is sent to it)" }
    })
    .post("/webhooks/:webhookId/secrets", ({ params, scope, set }) => run(set, WebhookUseCases.use((u) => u.addSecret(scope, params.webhookId)), 201), {
      access: "write",
      params: WebhookParams,
      response: { 201: standard(WebhookSecret), ...errors },
      detail: { tags, summary: "Rotate: add a signing secret; requests carry a signature per secret for the newest two until the older one is removed" }
    })
    .delete("/webhooks/:webhookId/secrets/:secretId", ({ params, scope, set }) =>
      run(set, WebhookUseCases.use((u) => u.removeSecret(scope, params.webhookId, params.secretId)), 204), {
      access: "write",
      params: SecretParams,
      response: { 204: standard(Schema.Undefined), ...conflicts },
      detail: { tags, summary: "End a rotation: stop signing with a secret (409 for the endpoint's last one)" }
    })
    .get("/webhooks/:webhookId/deliveries", ({ params, query, scope, set }) =>
      run(set, WebhookUseCases.use((u) => u.deliveries(scope, params.webhookId, { ...pageRequest(query), status: query.status }))), {
      access: "read",
      params: WebhookParams,
      query: DeliveriesQuery,
      response: { 200: standard(ListPage(Delivery)), ...errors },
      detail: { tags, summary: "The endpoint's delivery log, newest first, a page at a time: each delivery's state and every attempt (status, latency, response excerpt)" }
    })
    .post("/webhooks/:webhookId/deliveries/:deliveryId/redeliver", ({ params, scope, set }) =>
      run(set, WebhookUseCases.use((u) => u.redeliver(scope, params.webhookId, params.deliveryId)), 202), {
      access: "write",
      params: DeliveryParams,
      response: { 202: standard(Delivery), ...conflicts },
      detail: { tags, summary: "Send a delivered or failed delivery again, with the same event id and a fresh retry window (409 while it is pending)" }
    })
