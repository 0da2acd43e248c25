import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import type { DatabaseError } from "../../../db/errors.ts"
import { decodeRows, isoTime } from "../../../db/rows.ts"
import { pageFrom, type PageRequest } from "../../../domain/page.ts"
import { Delivery } from "./model.ts"
import type { Delivery as DeliveryAnswer } from "./model.ts"

const at = (ms: number) => new Date(ms).toISOString()

const decodeDeliveries = decodeRows(Delivery)

const deliveryColumns = (sql: Sql) => sql`
  d.id::text as id, d.endpoint_id::text as "webhookId", d.event_id as "eventId", d.event_type as "eventType", d.user_id as "userId",
  d.status, d.attempts,
  case when d.status = 'pending' and d.next_attempt_at is not null then ${isoTime(sql, "d.next_attempt_at")} end as "nextAttemptAt",
  case when d.retry_until is not null then ${isoTime(sql, "d.retry_until")} end as "retryUntil",
  ${isoTime(sql, "d.created_at")} as "createdAt", d.payload::json as payload,
  coalesce((select json_agg(json_build_object('attempt', a.attempt, 'at', ${isoTime(sql, "a.at")}, 'status', a.status, 'error', a.error,
                                              'latencyMs', a.latency_ms, 'responseExcerpt', a.response_excerpt) order by a.attempt)
            from reward.webhook_attempts a where a.delivery_id = d.id), '[]'::json) as log`

/** A page of an endpoint's deliveries, newest first, each with its attempts; the sort key is the id. */
export const listDeliveries = (sql: Sql, tenant: string, endpointId: string, page: PageRequest & { readonly status: string | undefined }) => {
  const before = page.after?.[0] ?? null
  return exec(() => sql`
    select ${deliveryColumns(sql)} from reward.webhook_deliveries d
    where d.tenant = ${tenant} and d.endpoint_id = ${endpointId}::uuid
      and (${before}::bigint is null or d.id < ${before}::bigint)
      and (${page.status ?? null}::text is null or d.status = ${page.status ?? null})
    order by d.id desc limit ${page.limit + 1}`).pipe(
    Effect.flatMap(decodeDeliveries),
    Effect.map((rows) => pageFrom(rows, page.limit, (delivery) => [delivery.id]))
  )
}

/**
 * Sends a delivery again (from the next relay pass, with a fresh retry window): `pending` when it
 * is still on its way, `missing` when there is no such delivery of the endpoint.
 */
export const requeueDelivery = (sql: Sql, tenant: string, endpointId: string, deliveryId: string) =>
  exec(() => sql<Array<{ status: string }>>`
    with target as (
      select id, status from reward.webhook_deliveries where tenant = ${tenant} and endpoint_id = ${endpointId}::uuid and id = ${deliveryId}::bigint for update),
    requeued as (
      update reward.webhook_deliveries d set status = 'pending', next_attempt_at = null, retry_until = null, window_attempts = 0, leased_until = null
      from target t where d.id = t.id and t.status <> 'pending' returning d.id)
    select t.status from target t`).pipe(
    Effect.flatMap((rows): Effect.Effect<"missing" | "pending" | DeliveryAnswer, DatabaseError> => {
      if (rows.length === 0) return Effect.succeed("missing")
      if (rows[0]!.status === "pending") return Effect.succeed("pending")
      return exec(() => sql`select ${deliveryColumns(sql)} from reward.webhook_deliveries d where d.id = ${deliveryId}::bigint`).pipe(
        Effect.flatMap(decodeDeliveries),
        Effect.map((deliveries) => deliveries[0]!)
      )
    })
  )

/**
 * Deletes up to `limit` settled deliveries (delivered or failed) whose last attempt was before
 * `before`, with their attempts; pending ones stay whatever their age. Returns how many went.
 */
export const pruneDeliveryLog = (sql: Sql, before: number, limit: number) =>
  exec(() => sql`
    delete from reward.webhook_deliveries where id in (
      select id from reward.webhook_deliveries
      where status <> 'pending' and last_attempt_at < ${at(before)}::timestamptz
      order by id limit ${limit})`).pipe(Effect.map((rows) => rows.count))
