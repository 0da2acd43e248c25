import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Member } from "./member-model.ts"

const decodeMembers = decodeRows(Member)
const columns = (sql: Sql) => sql`id::text as id, tenant, fullname, username, ${isoTime(sql, "created_at")} as "createdAt"`

export const insertMember = (sql: Sql, member: { id: string; tenant: string; fullname: string; username: string }) =>
  exec(() => sql`
    insert into users.members (id, tenant, fullname, username)
    values (${member.id}, ${member.tenant}, ${member.fullname}, ${member.username})
    returning ${columns(sql)}`).pipe(Effect.flatMap(decodeMembers), Effect.map((rows) => rows[0]!))

export const listMembers = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${columns(sql)} from users.members t where ${tenantFilter(sql, scope)}
    order by t.created_at, t.id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeMembers))

export const findMember = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`select ${columns(sql)} from users.members where id = ${id} and ${tenantFilter(sql, scope)}`).pipe(
    Effect.flatMap(decodeMembers),
    Effect.map((rows) => rows[0])
  )

export const deleteMember = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`delete from users.members where id = ${id} and ${tenantFilter(sql, scope)} returning id`).pipe(
    Effect.map((rows) => rows.length > 0)
  )
