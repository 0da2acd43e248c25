import { Effect, Option } from "effect"
import { AppConfig, defaultImportMaxBytes } from "../config/app-config.ts"
import { Database } from "../db/database.ts"
import { InvalidInput, NotFound } from "../domain/errors.ts"
import { type PageRequest, pageFrom } from "../domain/page.ts"
import { tenantToRead } from "../domain/tenant-guard.ts"
import type { Tenant } from "../domain/primitives.ts"
import type { TenantScope } from "../domain/tenant-scope.ts"
import type { Principal } from "../auth/principal.ts"
import { type ImportSchema, jobOf, refusalsOf, type Starter } from "./repo.ts"

/** Who an import is recorded as started by: an operator or an API key (members never import). */
export const starterOf = (principal: Principal | undefined): Starter | null =>
  principal?.kind === "operator" ? { kind: "operator", id: principal.operatorId }
  : principal?.kind === "api-key" ? { kind: "api-key", id: principal.keyId }
  : null

/** The tenant an import is into: the `?tenant=` asked for, else the caller's one tenant. */
export const importTenant = (scope: TenantScope, tenant: Tenant | undefined): Effect.Effect<string, InvalidInput> =>
  tenant !== undefined ? Effect.succeed(tenant)
  : scope._tag === "OneTenant" ? Effect.succeed(scope.tenant)
  : Effect.fail(new InvalidInput({ field: "tenant", reason: "required: an import is into one tenant" }))

/** The import body cap of this process's configuration. */
export const importMaxBytes = Effect.serviceOption(AppConfig).pipe(
  Effect.map(Option.match({ onNone: () => defaultImportMaxBytes, onSome: (config) => config.importMaxBytes }))
)

/** Reading a service's imports: a job, and its refusals a page at a time, only of a tenant the caller reads. */
export const makeImportJobs = (schema: ImportSchema) =>
  Effect.gen(function*() {
    const db = yield* Database
    const job = (scope: TenantScope, tenant: Tenant | undefined, id: string) =>
      tenantToRead(scope, tenant, "an import is of one tenant").pipe(
        Effect.flatMap((t) => jobOf(db.sql, schema, t, id)),
        Effect.flatMap((found) => (found === undefined ? Effect.fail(new NotFound({ resource: "import", id })) : Effect.succeed(found)))
      )
    return {
      job,
      refusals: (scope: TenantScope, tenant: Tenant | undefined, id: string, page: PageRequest) =>
        job(scope, tenant, id).pipe(
          Effect.flatMap((found) => refusalsOf(db.sql, schema, found.tenant, id, Number(page.after?.[0] ?? 0), page.limit + 1)),
          Effect.map((rows) => pageFrom(rows, page.limit, (refusal) => [String(refusal.line)]))
        )
    }
  })
