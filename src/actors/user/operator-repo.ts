import { Effect, Schema } from "effect"
import { Role } from "../../auth/principal.ts"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import { Tenant } from "../../domain/primitives.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Operator } from "./operator-model.ts"

const decodeOperators = decodeRows(Operator)
const columns = (sql: Sql) =>
  sql`id::text as id, username, role, tenant, ${isoTime(sql, "created_at")} as "createdAt",
      case when disabled_at is null then null else ${isoTime(sql, "disabled_at")} end as "disabledAt"`

/** What a login needs, the hash included; it never leaves the user service's use cases. */
const Credentials = Schema.Struct({
  id: Schema.String,
  username: Schema.String,
  role: Role,
  tenant: Schema.NullOr(Tenant),
  passwordHash: Schema.String,
  disabled: Schema.Boolean
})
export type Credentials = typeof Credentials.Type
const decodeCredentials = decodeRows(Credentials)

export interface NewOperator {
  readonly id: string
  readonly username: string
  readonly passwordHash: string
  readonly role: Role
  readonly tenant: string | null
}

export const insertOperator = (sql: Sql, operator: NewOperator) =>
  exec(() => sql`
    insert into users.operators (id, username, password_hash, role, tenant)
    values (${operator.id}, ${operator.username}, ${operator.passwordHash}, ${operator.role}, ${operator.tenant})
    returning ${columns(sql)}`).pipe(Effect.flatMap(decodeOperators), Effect.map((rows) => rows[0]!))

export const findCredentials = (sql: Sql, username: string) =>
  exec(() => sql`
    select id::text as id, username, role, tenant, password_hash as "passwordHash", disabled_at is not null as disabled
    from users.operators where username = ${username}`).pipe(Effect.flatMap(decodeCredentials), Effect.map((rows) => rows[0]))

export const listOperators = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${columns(sql)} from users.operators t where ${tenantFilter(sql, scope)}
    order by t.created_at, t.id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeOperators))

/** Disabling keeps the row (API keys and history point at it); a second disable changes nothing. */
export const disableOperator = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`
    update users.operators set disabled_at = coalesce(disabled_at, now())
    where id = ${id} and ${tenantFilter(sql, scope)} returning id`).pipe(Effect.map((rows) => rows.length > 0))

export const hasAdmin = (sql: Sql) =>
  exec(() => sql`select exists (select 1 from users.operators where role = 'admin') as found`).pipe(
    Effect.map((rows) => Boolean(rows[0]?.found))
  )
