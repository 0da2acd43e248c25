import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { type TenantInput, TenantRecord, type TenantUpdate } from "./tenant-model.ts"

const decodeTenants = decodeRows(TenantRecord)
const columns = (sql: Sql) =>
  sql`id, name, allow_events_without_id as "allowEventsWithoutId", time_zone as "timeZone", version::int as version,
      ${isoTime(sql, "created_at")} as "createdAt", ${isoTime(sql, "updated_at")} as "updatedAt"`

export const insertTenant = (sql: Sql, tenant: TenantInput) =>
  exec(() => sql`
    insert into users.tenants (id, name, allow_events_without_id, time_zone)
    values (${tenant.id}, ${tenant.name}, ${tenant.allowEventsWithoutId ?? false}, ${tenant.timeZone ?? "UTC"})
    returning ${columns(sql)}`).pipe(Effect.flatMap(decodeTenants), Effect.map((rows) => rows[0]!))

/** Applies the given changes and raises the version; undefined when the tenant is not in scope. */
export const updateTenant = (sql: Sql, scope: TenantScope, id: string, changes: TenantUpdate) =>
  exec(() => sql`
    update users.tenants
    set name = coalesce(${changes.name ?? null}::text, name),
        allow_events_without_id = coalesce(${changes.allowEventsWithoutId ?? null}::boolean, allow_events_without_id),
        time_zone = coalesce(${changes.timeZone ?? null}::text, time_zone),
        version = version + 1, updated_at = now()
    where id = ${id} and ${tenantFilter(sql, scope, "id")}
    returning ${columns(sql)}`).pipe(Effect.flatMap(decodeTenants), Effect.map((rows) => rows[0]))

export const listTenants = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${columns(sql)} from users.tenants where ${tenantFilter(sql, scope, "id")}
    order by id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeTenants))

export const findTenant = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`select ${columns(sql)} from users.tenants where id = ${id} and ${tenantFilter(sql, scope, "id")}`).pipe(
    Effect.flatMap(decodeTenants),
    Effect.map((rows) => rows[0])
  )
