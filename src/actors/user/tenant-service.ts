import { Context, Effect, Layer } from "effect"
import type { Principal } from "../../auth/principal.ts"
import { Database } from "../../db/database.ts"
import { AlreadyExists, NotFound } from "../../domain/errors.ts"
import { readScope, requireAdmin } from "./authorization.ts"
import type { TenantInput } from "./tenant-model.ts"
import { findTenant, insertTenant, listTenants } from "./tenant-repo.ts"

const make = Effect.gen(function*() {
  const db = yield* Database
  return {
    /** Only the platform admin opens a tenant; its operators and keys come after. */
    create: (principal: Principal, input: TenantInput) =>
      requireAdmin(principal, "create tenant").pipe(
        Effect.andThen(insertTenant(db.sql, input)),
        Effect.catchTag("UniqueViolation", () => Effect.fail(new AlreadyExists({ resource: "tenant", id: input.id })))
      ),
    list: (principal: Principal, page: { limit: number; offset: number }) =>
      readScope(principal, "list tenants", { apiKeys: true }).pipe(
        Effect.flatMap((scope) => listTenants(db.sql, scope, page)),
        Effect.map((tenants) => ({ tenants }))
      ),
    /** Another tenant is not found rather than forbidden: its existence is not the caller's business. */
    get: (principal: Principal, id: string) =>
      readScope(principal, "read tenant", { apiKeys: true }).pipe(
        Effect.flatMap((scope) => findTenant(db.sql, scope, id)),
        Effect.flatMap((tenant) => (tenant ? Effect.succeed(tenant) : Effect.fail(new NotFound({ resource: "tenant", id }))))
      )
  }
})

/** Tenants: the shops and brands whose loyalty programs run here. */
export class TenantUseCases extends Context.Service<TenantUseCases, Effect.Success<typeof make>>()("loyaltea/user/TenantUseCases") {
  static readonly layer = Layer.effect(TenantUseCases, make)
}
