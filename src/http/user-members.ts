import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { Member, MemberInput, MemberList } from "../actors/user/member-model.ts"
import { MemberUseCases } from "../actors/user/member-service.ts"
import { Uuid } from "../domain/primitives.ts"
import { PageQuery, pageOf, TenantQuery } from "./params.ts"
import { accessControl } from "./access.ts"
import { narrow } from "../domain/tenant-scope.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const MemberParams = input(Schema.Struct({ id: Uuid }), "params")
const errors = { 400: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse }

/** The original user-service contract: `POST /user/ {fullname, username}` and `GET /user` → `{users}`. */
export const memberRoutes = (run: Runner<MemberUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-member-routes" })
    .use(accessControl(run))
    // One literal for both methods: Elysia drops a route when "/user/" and "/user" are mixed; both forms still match.
    .post("/user", ({ body, scope, set }) => run(set, MemberUseCases.use((u) => u.createMember(scope, body)), 201), {
      access: "write",
      body: input(MemberInput),
      response: { 201: standard(Member), ...errors },
      detail: { tags: ["members"], summary: "Register a member (an end customer) of a tenant" }
    })
    .get("/user", ({ query, scope, set }) => {
      const narrowed = narrow(scope, query.tenant)
      return run(set, narrowed ? MemberUseCases.use((u) => u.listMembers(narrowed, pageOf(query))) : Effect.succeed({ users: [] }))
    }, {
      access: "read",
      query: input(Schema.Struct({ ...TenantQuery, ...PageQuery }), "query"),
      response: { 200: standard(MemberList), ...errors },
      detail: { tags: ["members"], summary: "List members" }
    })
    .get("/user/:id", ({ params, scope, set }) => run(set, MemberUseCases.use((u) => u.getMember(scope, params.id))), {
      access: "read",
      params: MemberParams,
      response: { 200: standard(Member), ...errors },
      detail: { tags: ["members"], summary: "Get a member" }
    })
    .delete("/user/:id", ({ params, scope, set }) => run(set, MemberUseCases.use((u) => u.deleteMember(scope, params.id)), 204), {
      access: "write",
      params: MemberParams,
      response: { 204: standard(Schema.Undefined), ...errors },
      detail: { tags: ["members"], summary: "Remove a member" }
    })
