import { Effect, Schema } from "effect"
import { ApiKeyScope } from "../../auth/principal.ts"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import { Tenant } from "../../domain/primitives.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { ApiKey } from "./api-key-model.ts"

const decodeKeys = decodeRows(ApiKey)
const nullableTime = (sql: Sql, column: string) => sql`case when ${sql(column)} is null then null else ${isoTime(sql, column)} end`
const columns = (sql: Sql) =>
  sql`id::text as id, name, tenant, scopes, ${isoTime(sql, "created_at")} as "createdAt",
      ${nullableTime(sql, "revoked_at")} as "revokedAt", ${nullableTime(sql, "last_used_at")} as "lastUsedAt"`

const ActiveKey = Schema.Struct({ id: Schema.String, tenant: Tenant, scopes: Schema.Array(ApiKeyScope) })
const decodeActive = decodeRows(ActiveKey)

export const insertApiKey = (
  sql: Sql,
  key: { id: string; tenant: string; name: string; keyHash: string; scopes: ReadonlyArray<string>; createdBy: string | null }
) =>
  exec(() => sql`
    insert into users.api_keys (id, tenant, name, key_hash, scopes, created_by)
    values (${key.id}, ${key.tenant}, ${key.name}, ${key.keyHash}, ${sql.array([...key.scopes])}, ${key.createdBy})
    returning ${columns(sql)}`).pipe(Effect.flatMap(decodeKeys), Effect.map((rows) => rows[0]!))

export const listApiKeys = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${columns(sql)} from users.api_keys t where ${tenantFilter(sql, scope)}
    order by t.created_at, t.id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeKeys))

/** Revoking twice keeps the first time; outside the scope nothing matches. */
export const revokeApiKey = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`
    update users.api_keys set revoked_at = coalesce(revoked_at, now())
    where id = ${id} and ${tenantFilter(sql, scope)} returning id`).pipe(Effect.map((rows) => rows.length > 0))

/** The lookup by hash is the comparison: no secret is ever compared byte by byte in our code. */
export const findActiveKey = (sql: Sql, keyHash: string) =>
  exec(() => sql`select id::text as id, tenant, scopes from users.api_keys where key_hash = ${keyHash} and revoked_at is null`).pipe(
    Effect.flatMap(decodeActive),
    Effect.map((rows) => rows[0])
  )

/** At most one write a minute per key, however many events it sends, even across processes. */
export const touchApiKey = (sql: Sql, id: string) =>
  exec(() => sql`
    update users.api_keys set last_used_at = now()
    where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`)
