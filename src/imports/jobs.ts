import { randomUUID } from "node:crypto"
import { Clock, Effect, Option } from "effect"
import { AppConfig, defaultImportMaxBytes } from "../config/app-config.ts"
import { Database } from "../db/database.ts"
import { InvalidInput, NotFound } from "../domain/errors.ts"
import { type PageRequest, pageFrom } from "../domain/page.ts"
import { tenantToRead } from "../domain/tenant-guard.ts"
import type { Tenant } from "../domain/primitives.ts"
import type { TenantScope } from "../domain/tenant-scope.ts"
import type { Principal } from "../auth/principal.ts"
import { TenantDirectory } from "../tenants/directory.ts"
import { ImportTooLarge } from "./model.ts"
import type { ImportFormat } from "./records.ts"
import { type ImportSchema, jobOf, refusalsOf, type Starter } from "./repo.ts"
import { type ImportPlan, runImport } from "./runner.ts"

/** What a POST of an import brings: the tenant and id it asks for, and its body. */
export interface ImportRequest {
  readonly tenant: Tenant | undefined
  readonly id: string | undefined
  readonly format: ImportFormat
  readonly body: ReadableStream<Uint8Array>
  /** The body's `content-length`, when it declares one: past the cap, refused before anything is read. */
  readonly declaredBytes: number | undefined
  readonly batchSize?: number
}

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

/**
 * A service's imports: starting one (the tenant writable by the caller, the body under the cap)
 * with the plan of its kind, and reading a job and its refusals a page at a time, only of a tenant
 * the caller reads.
 */
export const makeImportJobs = (schema: ImportSchema) =>
  Effect.gen(function*() {
    const db = yield* Database
    const tenants = yield* TenantDirectory
    const start = <Row, E>(scope: TenantScope, principal: Principal | undefined, request: ImportRequest, planFor: (tenant: string, startedAt: number) => ImportPlan<Row, E>) =>
      Effect.gen(function*() {
        const tenant = yield* importTenant(scope, request.tenant)
        yield* tenants.writable(scope, tenant)
        const maxBytes = yield* importMaxBytes
        if (request.declaredBytes !== undefined && request.declaredBytes > maxBytes) return yield* new ImportTooLarge({ limit: maxBytes })
        const startedAt = yield* Clock.currentTimeMillis
        const job = { id: request.id ?? randomUUID(), tenant, startedBy: starterOf(principal) }
        return yield* runImport(planFor(tenant, startedAt), job, request.body, request.format, maxBytes, request.batchSize)
      }).pipe(Effect.provideService(Database, db))
    const job = (scope: TenantScope, tenant: Tenant | undefined, id: string) =>
      tenantToRead(scope, tenant, "an import is of one tenant").pipe(
        Effect.flatMap((t) => jobOf(db.sql, schema, t, id)),
        Effect.flatMap((found) => (found === undefined ? Effect.fail(new NotFound({ resource: "import", id })) : Effect.succeed(found)))
      )
    return {
      start,
      job,
      refusals: (scope: TenantScope, tenant: Tenant | undefined, id: string, page: PageRequest) =>
        job(scope, tenant, id).pipe(
          Effect.flatMap((found) => refusalsOf(db.sql, schema, found.tenant, id, Number(page.after?.[0] ?? 0), page.limit + 1)),
          Effect.map((rows) => pageFrom(rows, page.limit, (refusal) => [String(refusal.line)]))
        )
    }
  })
