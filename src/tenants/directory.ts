import { Context, Effect, Layer } from "effect"
import { AppConfig } from "../config/app-config.ts"
import { Database } from "../db/database.ts"
import { InvalidInput } from "../domain/errors.ts"
import { requireTenant } from "../domain/tenant-guard.ts"
import type { TenantScope } from "../domain/tenant-scope.ts"
import { KafkaClient } from "../kafka/kafka-client.ts"
import type { ServiceSchema } from "../kafka/service-schema.ts"
import { tenantFeed, tenantGroupId } from "./feed.ts"
import { existingTenants, findMirroredTenant } from "./mirror-repo.ts"

// How long a tenant that is not in the copy yet may still be on its way (created a moment ago).
const arrivalWaitMs = 10_000

const make = (schema: ServiceSchema) =>
  Effect.gen(function*() {
    const db = yield* Database
    const config = yield* AppConfig
    const feed = tenantFeed(yield* KafkaClient, tenantGroupId(config, schema))
    yield* Effect.addFinalizer(() => feed.close)
    // Tenants are never deleted, so once seen a tenant stays known: the steady state costs nothing.
    const known = new Set<string>()
    const remember = (ids: ReadonlyArray<string>) => Effect.sync(() => ids.forEach((id) => known.add(id)))

    const knownOf = (tenants: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const missing = () => [...new Set(tenants)].filter((tenant) => !known.has(tenant))
        if (missing().length === 0) return known as ReadonlySet<string>
        yield* existingTenants(db.sql, schema, missing()).pipe(Effect.flatMap(remember))
        if (missing().length === 0) return known as ReadonlySet<string>
        yield* feed.awaitCaughtUp(arrivalWaitMs)
        yield* existingTenants(db.sql, schema, missing()).pipe(Effect.flatMap(remember))
        return known as ReadonlySet<string>
      })

    const require = (tenant: string, field = "tenant") =>
      knownOf([tenant]).pipe(
        Effect.flatMap((set) => (set.has(tenant) ? Effect.void : Effect.fail(new InvalidInput({ field, reason: `no tenant ${tenant}` }))))
      )

    return {
      /** Which of `tenants` exist (a tenant created a moment ago is waited for, briefly). */
      known: knownOf,
      /** Fails naming `field` when the tenant does not exist. */
      require,
      /**
       * A write naming `tenant`: outside the caller's scope it is 403 whether or not the tenant
       * exists (so the answer tells nothing about other tenants), inside it 422 when it does not.
       */
      writable: (scope: TenantScope, tenant: string, field = "tenant") => requireTenant(scope, tenant).pipe(Effect.andThen(require(tenant, field))),
      /** The tenant's current settings, read now (they change), or undefined when it does not exist. */
      settings: (tenant: string) =>
        findMirroredTenant(db.sql, schema, tenant).pipe(
          Effect.flatMap((found) =>
            found ? Effect.succeed(found) : knownOf([tenant]).pipe(Effect.flatMap((set) => set.has(tenant) ? findMirroredTenant(db.sql, schema, tenant) : Effect.succeed(undefined)))
          )
        )
    }
  })

/**
 * The tenants a service knows, from its own copy of the `tenant` topic: writes and events naming a
 * tenant that does not exist are refused (422) or dead-lettered instead of stored.
 */
export class TenantDirectory extends Context.Service<TenantDirectory, Effect.Success<ReturnType<typeof make>>>()("loyaltea/tenants/TenantDirectory") {
  static readonly layer = (schema: ServiceSchema) => Layer.effect(TenantDirectory, make(schema))
}
