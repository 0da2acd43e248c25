import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { type TenantInput, TenantRecord } from "./tenant-model.ts"

const decodeTenants = decodeRows(TenantRecord)
const columns = (sql: Sql) => sql`id, name, ${isoTime(sql, "created_at")} as "createdAt"`

export const insertTenant = (sql: Sql, tenant: TenantInput) =>
  exec(() => sql`insert into users.tenants (id, name) values (${tenant.id}, ${tenant.name}) returning ${columns(sql)}`).pipe(
    Effect.flatMap(decodeTenants),
    Effect.map((rows) => rows[0]!)
  )

export const listTenants = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${columns(sql)} from users.tenants where ${tenantFilter(sql, scope, "id")}
    order by id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeTenants))

export const findTenant = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`select ${columns(sql)} from users.tenants where id = ${id} and ${tenantFilter(sql, scope, "id")}`).pipe(
    Effect.flatMap(decodeTenants),
    Effect.map((rows) => rows[0])
  )
