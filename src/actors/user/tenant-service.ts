import { Context, Effect, Layer } from "effect"
import type { Principal } from "../../auth/principal.ts"
import { Database, type Sql } from "../../db/database.ts"
import { AlreadyExists, NotFound } from "../../domain/errors.ts"
import { type TenantEvent, tenantEventId } from "../../events/tenant.ts"
import { Topics } from "../../events/topics.ts"
import { appendOutbox } from "../../kafka/outbox.ts"
import { EventProducer, type OutgoingMessage } from "../../kafka/producer.ts"
import { publishCommitted } from "../../kafka/publish-committed.ts"
import { manageScope, readScope, requireAdmin } from "./authorization.ts"
import type { TenantInput, TenantRecord, TenantUpdate } from "./tenant-model.ts"
import { findTenant, insertTenant, listTenants, updateTenant } from "./tenant-repo.ts"

/** The tenant as the other services learn it, keyed by the tenant so its versions stay in order. */
const tenantMessage = (tenant: TenantRecord): OutgoingMessage => {
  const event: TenantEvent = {
    tenant: tenant.id,
    name: tenant.name,
    allowEventsWithoutId: tenant.allowEventsWithoutId,
    timeZone: tenant.timeZone,
    version: tenant.version,
    eventId: tenantEventId(tenant.id, tenant.version)
  }
  return { topic: Topics.tenant, key: tenant.id, value: JSON.stringify(event) }
}

const make = Effect.gen(function*() {
  const db = yield* Database
  const producer = yield* EventProducer

  /**
   * The change and its `tenant` event commit together (the event through the outbox); the event is
   * published before the answer, so a service asked about the tenant next already has it on its way.
   */
  const changed = <E>(write: (tx: Sql) => Effect.Effect<TenantRecord | undefined, E>, id: string) =>
    db.transaction((tx) =>
      Effect.gen(function*() {
        const tenant = yield* write(tx)
        if (!tenant) return yield* new NotFound({ resource: "tenant", id })
        const message = tenantMessage(tenant)
        return { tenant, message, outboxId: yield* appendOutbox(tx, "users", [message]) }
      })
    ).pipe(
      Effect.tap(({ message, outboxId }) => publishCommitted(db, producer, "users", outboxId, [message])),
      Effect.map(({ tenant }) => tenant)
    )

  return {
    /** Only the platform admin opens a tenant; its operators and keys come after. */
    create: (principal: Principal, input: TenantInput) =>
      requireAdmin(principal, "create tenant").pipe(
        Effect.andThen(changed((tx) => insertTenant(tx, input), input.id)),
        Effect.catchTag("UniqueViolation", () => Effect.fail(new AlreadyExists({ resource: "tenant", id: input.id })))
      ),
    /** The platform admin, or an admin of the tenant itself; another tenant is not found. */
    update: (principal: Principal, id: string, update: TenantUpdate) =>
      manageScope(principal, "change tenant").pipe(
        Effect.flatMap((scope) => changed((tx) => updateTenant(tx, scope, id, update), id))
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
