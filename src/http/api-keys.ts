import type { Authenticator } from "../auth/authenticator.ts"
import { Schema } from "effect"
import { Elysia } from "elysia"
import { ApiKeyInput, ApiKeyList, CreatedApiKey } from "../actors/user/api-key-model.ts"
import { ApiKeys } from "../actors/user/api-key-service.ts"
import { Uuid } from "../domain/primitives.ts"
import { PageQuery, pageOf, TenantQuery } from "./params.ts"
import { asCaller } from "./caller.ts"
import { accessControl } from "./access.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const ApiKeyParams = input(Schema.Struct({ id: Uuid }), "params")
const noContent = standard(Schema.Unknown.annotate({ description: "Revoked; no body" }))
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse, 503: errorResponse }

/** API keys for machines (a shop's backend sending events): one tenant, chosen scopes, shown once. */
export const apiKeyRoutes = (run: Runner<ApiKeys | Authenticator>) =>
  new Elysia({ name: "loyaltea-api-key-routes" })
    .use(accessControl(run))
    .post("/api-keys", ({ body, principal, set }) => run(set, asCaller(principal, (p) => ApiKeys.use((k) => k.create(p, body))), 201), {
      access: "write",
      body: input(ApiKeyInput),
      response: { 201: standard(CreatedApiKey), ...errors },
      detail: { tags: ["api keys"], summary: "Create an API key; the answer holds the key, which is never shown again" }
    })
    .get("/api-keys", ({ query, principal, set }) => run(set, asCaller(principal, (p) => ApiKeys.use((k) => k.list(p, query.tenant, pageOf(query))))), {
      access: "operator",
      query: input(Schema.Struct({ ...TenantQuery, ...PageQuery }), "query"),
      response: { 200: standard(ApiKeyList), ...errors },
      detail: { tags: ["api keys"], summary: "List API keys (without their secrets)" }
    })
    .delete("/api-keys/:id", ({ params, principal, set }) => run(set, asCaller(principal, (p) => ApiKeys.use((k) => k.revoke(p, params.id))), 204), {
      access: "write",
      params: ApiKeyParams,
      response: { 204: noContent, ...errors },
      detail: { tags: ["api keys"], summary: "Revoke an API key: it stops working at once in the user service's processes, within 10 s in the others" }
    })
