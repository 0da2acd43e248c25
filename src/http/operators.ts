import type { Authenticator } from "../auth/authenticator.ts"
import { Schema } from "effect"
import { Elysia } from "elysia"
import { Operator, OperatorInput, OperatorList } from "../actors/user/operator-model.ts"
import { OperatorUseCases } from "../actors/user/operator-service.ts"
import { Uuid } from "../domain/primitives.ts"
import { PageQuery, pageOf, TenantQuery } from "./params.ts"
import { asCaller } from "./caller.ts"
import { accessControl } from "./access.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const OperatorParams = input(Schema.Struct({ id: Uuid }), "params")
const noContent = standard(Schema.Unknown.annotate({ description: "Disabled; no body" }))
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse, 503: errorResponse }

/** Operators: the platform admin manages all; a tenant admin its own tenant's; viewers only read. */
export const operatorRoutes = (run: Runner<OperatorUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-operator-routes" })
    .use(accessControl(run))
    .post("/operators", ({ body, principal, set }) => run(set, asCaller(principal, (p) => OperatorUseCases.use((u) => u.create(p, body))), 201), {
      access: "write",
      body: input(OperatorInput),
      response: { 201: standard(Operator), ...errors },
      detail: { tags: ["operators"], summary: "Create an operator (admin: any; tenant admin: its tenant's admins and viewers)" }
    })
    .get("/operators", ({ query, principal, set }) =>
      run(set, asCaller(principal, (p) => OperatorUseCases.use((u) => u.list(p, query.tenant, pageOf(query))))), {
      access: "operator",
      query: input(Schema.Struct({ ...TenantQuery, ...PageQuery }), "query"),
      response: { 200: standard(OperatorList), ...errors },
      detail: { tags: ["operators"], summary: "List operators the caller may see, optionally of one tenant" }
    })
    .delete("/operators/:id", ({ params, principal, set }) => run(set, asCaller(principal, (p) => OperatorUseCases.use((u) => u.disable(p, params.id))), 204), {
      access: "write",
      params: OperatorParams,
      response: { 204: noContent, ...errors },
      detail: { tags: ["operators"], summary: "Disable an operator: no more logins, its sessions end" }
    })
