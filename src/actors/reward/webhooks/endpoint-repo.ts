import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { decodeRows, isoTime } from "../../../db/rows.ts"
import { tenantFilter } from "../../../db/tenant-filter.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { pageFrom, type PageRequest } from "../../../domain/page.ts"
import { Webhook, type WebhookSecret, type WebhookUpdate } from "./model.ts"

const decodeWebhooks = decodeRows(Webhook)

/** An endpoint's columns as the API shows them, its secrets listed without their values. */
const columns = (sql: Sql) => sql`
  e.tenant, e.id::text as id, e.url, e.events, e.description, e.enabled, e.disabled_reason as "disabledReason",
  case when e.failing_since is null then null else ${isoTime(sql, "e.failing_since")} end as "failingSince",
  e.consecutive_failures as "consecutiveFailures",
  coalesce((select json_agg(json_build_object('id', s.id::text, 'createdAt', ${isoTime(sql, "s.created_at")}) order by s.created_at desc, s.id)
            from reward.webhook_secrets s where s.tenant = e.tenant and s.endpoint_id = e.id), '[]'::json) as secrets,
  ${isoTime(sql, "e.created_at")} as "createdAt", ${isoTime(sql, "e.updated_at")} as "updatedAt"`

export interface NewEndpoint {
  readonly tenant: string
  readonly id: string
  readonly url: string
  readonly events: ReadonlyArray<string>
  readonly description: string | null
  readonly enabled: boolean
  readonly secret: { readonly id: string; readonly value: string }
}

const one = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`select ${columns(sql)} from reward.webhook_endpoints e where e.id = ${id}::uuid and ${tenantFilter(sql, scope, "e.tenant")}`).pipe(
    Effect.flatMap(decodeWebhooks),
    Effect.map((rows) => rows[0])
  )

export const findEndpoint = one

export const insertEndpoint = (tx: Sql, endpoint: NewEndpoint) =>
  Effect.gen(function*() {
    yield* exec(() => tx`
      insert into reward.webhook_endpoints (tenant, id, url, events, description, enabled)
      values (${endpoint.tenant}, ${endpoint.id}::uuid, ${endpoint.url}, ${endpoint.events as Array<string>}::text[], ${endpoint.description}, ${endpoint.enabled})`)
    const secret = yield* insertSecret(tx, endpoint.tenant, endpoint.id, endpoint.secret)
    const webhook = (yield* one(tx, { _tag: "OneTenant", tenant: endpoint.tenant as never }, endpoint.id))!
    return { webhook, secret }
  })

/**
 * A page of endpoints, oldest first. The sort key is the creation time to the millisecond (as the
 * API shows it) and the id, so the cursor made from an answer's last item continues exactly after it.
 */
export const listEndpoints = (sql: Sql, scope: TenantScope, page: PageRequest) => {
  const [afterAt, afterId] = page.after ?? []
  return exec(() => sql`
    select ${columns(sql)} from reward.webhook_endpoints e
    where ${tenantFilter(sql, scope, "e.tenant")}
      and (${afterAt ?? null}::timestamptz is null
           or (date_trunc('milliseconds', e.created_at), e.id) > (${afterAt ?? null}::timestamptz, ${afterId ?? null}::uuid))
    order by date_trunc('milliseconds', e.created_at), e.id limit ${page.limit + 1}`).pipe(
    Effect.flatMap(decodeWebhooks),
    Effect.map((rows) => pageFrom(rows, page.limit, (webhook) => [webhook.createdAt, webhook.id]))
  )
}

/** Replaces the settings; enabling (again) clears the record of sustained failure. */
export const updateEndpoint = (sql: Sql, scope: TenantScope, id: string, update: WebhookUpdate) =>
  exec(() => sql`
    update reward.webhook_endpoints e
    set url = ${update.url}, events = ${update.events as Array<string>}::text[],
        description = case when ${update.description === undefined} then e.description else ${update.description ?? null} end,
        enabled = ${update.enabled},
        disabled_reason = null,
        failing_since = case when ${update.enabled} and not e.enabled then null else e.failing_since end,
        consecutive_failures = case when ${update.enabled} and not e.enabled then 0 else e.consecutive_failures end,
        updated_at = now()
    where e.id = ${id}::uuid and ${tenantFilter(sql, scope, "e.tenant")}
    returning e.id::text as id`).pipe(
    Effect.flatMap((rows) => (rows.length === 0 ? Effect.succeed(undefined) : one(sql, scope, id)))
  )

/** Deletes the endpoint with its secrets and its delivery log; whether there was one. */
export const deleteEndpoint = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`delete from reward.webhook_endpoints e where e.id = ${id}::uuid and ${tenantFilter(sql, scope, "e.tenant")} returning e.id`).pipe(
    Effect.map((rows) => rows.length > 0)
  )

/** The endpoint's tenant when the scope sees it (for writes to what belongs to it). */
export const endpointTenant = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql<Array<{ tenant: string }>>`
    select e.tenant from reward.webhook_endpoints e where e.id = ${id}::uuid and ${tenantFilter(sql, scope, "e.tenant")} for update`).pipe(
    Effect.map((rows) => rows[0]?.tenant)
  )

/** Most secrets an endpoint signs with at once: the current one and the one being rotated out. */
export const maxActiveSecrets = 2

/** Adds a secret; beyond `maxActiveSecrets` the oldest ones stop being used. */
export const insertSecret = (tx: Sql, tenant: string, endpointId: string, secret: { readonly id: string; readonly value: string }) =>
  Effect.gen(function*() {
    const rows = yield* exec(() => tx<Array<{ id: string; createdAt: string }>>`
      insert into reward.webhook_secrets (tenant, endpoint_id, id, secret) values (${tenant}, ${endpointId}::uuid, ${secret.id}::uuid, ${secret.value})
      returning id::text as id, ${isoTime(tx, "created_at")} as "createdAt"`)
    yield* exec(() => tx`
      delete from reward.webhook_secrets s where s.tenant = ${tenant} and s.endpoint_id = ${endpointId}::uuid
        and s.id not in (select k.id from reward.webhook_secrets k where k.tenant = ${tenant} and k.endpoint_id = ${endpointId}::uuid
                         order by k.created_at desc, (k.id = ${secret.id}::uuid) desc limit ${maxActiveSecrets})`)
    return { id: rows[0]!.id, secret: secret.value, createdAt: rows[0]!.createdAt } satisfies WebhookSecret
  })

/** Removes a secret unless it is the endpoint's last; `missing`, `last` or `removed`. */
export const deleteSecret = (tx: Sql, tenant: string, endpointId: string, secretId: string) =>
  exec(() => tx<Array<{ found: boolean; count: number }>>`
    select exists (select 1 from reward.webhook_secrets where tenant = ${tenant} and endpoint_id = ${endpointId}::uuid and id = ${secretId}::uuid) as found,
           (select count(*)::int from reward.webhook_secrets where tenant = ${tenant} and endpoint_id = ${endpointId}::uuid) as count`).pipe(
    Effect.flatMap(([row]) => {
      if (!row?.found) return Effect.succeed("missing" as const)
      if (row.count <= 1) return Effect.succeed("last" as const)
      return exec(() => tx`delete from reward.webhook_secrets where tenant = ${tenant} and endpoint_id = ${endpointId}::uuid and id = ${secretId}::uuid`).pipe(
        Effect.as("removed" as const)
      )
    })
  )
