import type { Authenticator } from "../auth/authenticator.ts"
import { Schema } from "effect"
import { Elysia } from "elysia"
import { TenantInput, TenantList, TenantRecord, TenantUpdate } from "../actors/user/tenant-model.ts"
import { TenantUseCases } from "../actors/user/tenant-service.ts"
import { Tenant } from "../domain/primitives.ts"
import { PageQuery, pageOf } from "./params.ts"
import { asCaller } from "./caller.ts"
import { accessControl } from "./access.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const TenantParams = input(Schema.Struct({ id: Tenant }), "params")
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse, 503: errorResponse }

/** Tenants: created by the platform admin; each operator sees its own. */
export const tenantRoutes = (run: Runner<TenantUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-tenant-routes" })
    .use(accessControl(run))
    .post("/tenants", ({ body, principal, set }) => run(set, asCaller(principal, (p) => TenantUseCases.use((u) => u.create(p, body))), 201), {
      access: "admin",
      body: input(TenantInput),
      response: { 201: standard(TenantRecord), ...errors },
      detail: { tags: ["tenants"], summary: "Create a tenant (platform admin); the other services learn it from topic `tenant`" }
    })
    .put("/tenants/:id", ({ body, params, principal, set }) =>
      run(set, asCaller(principal, (p) => TenantUseCases.use((u) => u.update(p, params.id, body)))), {
      access: "write",
      params: TenantParams,
      body: standard(TenantUpdate),
      response: { 200: standard(TenantRecord), ...errors },
      detail: {
        tags: ["tenants"],
        summary: "Change a tenant's name or settings (platform admin, or an admin of the tenant); the other services follow through topic `tenant`"
      }
    })
    .get("/tenants", ({ query, principal, set }) => run(set, asCaller(principal, (p) => TenantUseCases.use((u) => u.list(p, pageOf(query))))), {
      access: "read",
      query: input(Schema.Struct(PageQuery), "query"),
      response: { 200: standard(TenantList), ...errors },
      detail: { tags: ["tenants"], summary: "List the tenants the caller may see" }
    })
    .get("/tenants/:id", ({ params, principal, set }) => run(set, asCaller(principal, (p) => TenantUseCases.use((u) => u.get(p, params.id)))), {
      access: "read",
      params: TenantParams,
      response: { 200: standard(TenantRecord), ...errors },
      detail: { tags: ["tenants"], summary: "Get a tenant" }
    })
