import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Database } from "../../db/database.ts"
import { AlreadyExists, InvalidInput, NotFound } from "../../domain/errors.ts"
import { requireTenant } from "../../domain/tenant-guard.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import type { MemberInput } from "./member-model.ts"
import { deleteMember, findMember, insertMember, listMembers } from "./member-repo.ts"

/** The body's tenant, else the credential's one tenant; a platform-wide caller must name it. */
const tenantOf = (scope: TenantScope, input: MemberInput): Effect.Effect<string, InvalidInput> =>
  input.tenant !== undefined
    ? Effect.succeed(input.tenant as string)
    : scope._tag === "OneTenant"
    ? Effect.succeed(scope.tenant as string)
    : Effect.fail(new InvalidInput({ field: "tenant", reason: "required when the credential is not bound to one tenant" }))

const make = Effect.gen(function*() {
  const db = yield* Database
  const notFound = (id: string) => new NotFound({ resource: "user", id })
  return {
    createMember: (scope: TenantScope, input: MemberInput) =>
      tenantOf(scope, input).pipe(
        Effect.tap((tenant) => requireTenant(scope, tenant)),
        Effect.flatMap((tenant) =>
          insertMember(db.sql, { id: randomUUID(), tenant, fullname: input.fullname, username: input.username }).pipe(
            Effect.catchTag("UniqueViolation", () => Effect.fail(new AlreadyExists({ resource: "user", id: input.username }))),
            // After the scope check: only a tenant the caller may write to is reported missing.
            Effect.catchIf((error) => error._tag === "QueryFailed" && error.code === "23503", () => Effect.fail(new InvalidInput({ field: "tenant", reason: `no tenant ${tenant}` })))
          )
        )
      ),
    listMembers: (scope: TenantScope, page: { limit: number; offset: number }) =>
      listMembers(db.sql, scope, page).pipe(Effect.map((users) => ({ users }))),
    getMember: (scope: TenantScope, id: string) =>
      findMember(db.sql, scope, id).pipe(Effect.flatMap((member) => (member ? Effect.succeed(member) : Effect.fail(notFound(id))))),
    deleteMember: (scope: TenantScope, id: string) =>
      deleteMember(db.sql, scope, id).pipe(
        Effect.flatMap((deleted) => (deleted ? Effect.void : Effect.fail(notFound(id))))
      )
  }
})

/** Members: a tenant's end customers. */
export class MemberUseCases extends Context.Service<MemberUseCases, Effect.Success<typeof make>>()("loyaltea/user/MemberUseCases") {
  static readonly layer = Layer.effect(MemberUseCases, make)
}
