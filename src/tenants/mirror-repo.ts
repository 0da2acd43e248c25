import { Effect } from "effect"
import { exec, type Sql } from "../db/database.ts"
import type { TenantEvent } from "../events/tenant.ts"
import type { ServiceSchema } from "../kafka/service-schema.ts"

/** What a service knows of a tenant from the `tenant` topic. */
export interface MirroredTenant {
  readonly id: string
  readonly allowEventsWithoutId: boolean
  /** Where its calendar periods begin (IANA). */
  readonly timeZone: string
}

/** Which of `ids` this service has heard of. */
export const existingTenants = (sql: Sql, schema: ServiceSchema, ids: ReadonlyArray<string>) =>
  exec(() => sql<Array<{ id: string }>>`
    select id from ${sql(`${schema}.tenants`)} where id = any(${ids as Array<string>}::text[])`).pipe(
    Effect.map((rows) => rows.map((row) => row.id))
  )

export const findMirroredTenant = (sql: Sql, schema: ServiceSchema, id: string) =>
  exec(() => sql<Array<MirroredTenant>>`
    select id, allow_events_without_id as "allowEventsWithoutId", time_zone as "timeZone" from ${sql(`${schema}.tenants`)} where id = ${id}`).pipe(
    Effect.map((rows) => rows[0])
  )

/**
 * Applies tenant events in one statement; a version older than the stored one changes nothing
 * (an event left in an outbox may be published after a newer one).
 */
export const upsertTenants = (tx: Sql, schema: ServiceSchema, events: ReadonlyArray<TenantEvent>) => {
  // The newest version of each tenant in the batch: one row per key in a single upsert.
  const newest = new Map<string, TenantEvent>()
  for (const event of events) {
    const seen = newest.get(event.tenant)
    if (!seen || event.version > seen.version) newest.set(event.tenant, event)
  }
  const rows = [...newest.values()].sort((a, b) => (a.tenant < b.tenant ? -1 : 1))
  if (rows.length === 0) return Effect.void
  return exec(() => tx`
    insert into ${tx(`${schema}.tenants`)} as t (id, name, allow_events_without_id, time_zone, version)
    select k.id, k.name, k.allow::boolean, k.time_zone, k.version
    -- Booleans travel as text: postgres.js does not encode boolean arrays.
    from unnest(${rows.map((r) => r.tenant)}::text[], ${rows.map((r) => r.name)}::text[],
                ${rows.map((r) => String(r.allowEventsWithoutId))}::text[], ${rows.map((r) => r.timeZone ?? "UTC")}::text[],
                ${rows.map((r) => r.version)}::bigint[]) as k(id, name, allow, time_zone, version)
    on conflict (id) do update
      set name = excluded.name, allow_events_without_id = excluded.allow_events_without_id, time_zone = excluded.time_zone,
          version = excluded.version, updated_at = now()
      where t.version < excluded.version`).pipe(Effect.asVoid)
}
