import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { TenantInput, TenantList, TenantRecord } from "../actors/user/tenant-model.ts"
import { TenantUseCases } from "../actors/user/tenant-service.ts"
import { Tenant } from "../domain/primitives.ts"
import { PageQuery, pageOf } from "./params.ts"
import { asCaller, type ResolvePrincipal } from "./caller.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, standard } from "./schema.ts"

const withTenants = <A, E>(f: (useCases: TenantUseCases["Service"]) => Effect.Effect<A, E>) => Effect.flatMap(Effect.service(TenantUseCases), f)
const TenantParams = standard(Schema.Struct({ id: Tenant }))
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse, 503: errorResponse }

/** Tenants: created by the platform admin; each operator sees its own. */
export const tenantRoutes = (run: Runner<TenantUseCases>, resolvePrincipal: ResolvePrincipal) =>
  new Elysia({ name: "loyaltea-tenant-routes" })
    .resolve(async ({ request }) => ({ principal: await resolvePrincipal(request) }))
    .post("/tenants", ({ body, principal, set }) => run(set, asCaller(principal, (p) => withTenants((u) => u.create(p, body))), 201), {
      body: standard(TenantInput),
      response: { 201: standard(TenantRecord), ...errors },
      detail: { tags: ["tenants"], summary: "Create a tenant (platform admin)" }
    })
    .get("/tenants", ({ query, principal, set }) => run(set, asCaller(principal, (p) => withTenants((u) => u.list(p, pageOf(query))))), {
      query: standard(Schema.Struct(PageQuery)),
      response: { 200: standard(TenantList), ...errors },
      detail: { tags: ["tenants"], summary: "List the tenants the caller may see" }
    })
    .get("/tenants/:id", ({ params, principal, set }) => run(set, asCaller(principal, (p) => withTenants((u) => u.get(p, params.id)))), {
      params: TenantParams,
      response: { 200: standard(TenantRecord), ...errors },
      detail: { tags: ["tenants"], summary: "Get a tenant" }
    })
