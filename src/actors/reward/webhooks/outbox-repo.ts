import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"

/** One event for webhooks: what it is delivered as to every endpoint of its tenant subscribed to its type. */
export interface WebhookEvent {
  readonly tenant: string
  readonly eventId: string
  readonly eventType: string
  readonly userId: string
  readonly payload: string
  /** When the event's record was appended to the log (ms): only endpoints that existed then get it. */
  readonly recordTime: number
}

/**
 * For each of `tenants` that has a webhook endpoint, when its first one was created (ms): an event
 * recorded before that concerns no endpoint of the tenant, on its first delivery and on any later one.
 */
export const firstEndpointTimes = (tx: Sql, tenants: ReadonlyArray<string>) =>
  tenants.length === 0
    ? Effect.succeed(new Map<string, number>())
    : exec(() => tx<Array<{ tenant: string; since: string }>>`
        select tenant, (extract(epoch from min(created_at)) * 1000)::bigint::text as since
        from reward.webhook_endpoints where tenant = any(${[...new Set(tenants)]}::text[]) group by tenant`).pipe(
        Effect.map((rows) => new Map(rows.map((row) => [row.tenant, Number(row.since)])))
      )

/**
 * One delivery row per event and matching enabled endpoint created before the event was recorded,
 * in one statement, inside the batch's transaction; rows are numbered in the events' order, which
 * is the order a member's deliveries go out in. The unique (tenant, endpoint, event id) makes a
 * replayed event add nothing, and the creation time keeps a replay from giving an endpoint events
 * from before it existed.
 */
export const enqueueDeliveries = (tx: Sql, events: ReadonlyArray<WebhookEvent>) =>
  events.length === 0
    ? Effect.succeed(0)
    : exec(() => tx`
        insert into reward.webhook_deliveries (tenant, endpoint_id, event_id, event_type, user_id, payload)
        select e.tenant, ep.id, e.event_id, e.event_type, e.user_id, e.payload
        from unnest(${events.map((e) => e.tenant)}::text[], ${events.map((e) => e.eventId)}::text[], ${events.map((e) => e.eventType)}::text[],
                    ${events.map((e) => e.userId)}::text[], ${events.map((e) => e.payload)}::text[], ${events.map((e) => new Date(e.recordTime).toISOString())}::timestamptz[])
             with ordinality as e(tenant, event_id, event_type, user_id, payload, recorded_at, ord)
        join reward.webhook_endpoints ep on ep.tenant = e.tenant and ep.enabled and e.event_type = any(ep.events) and ep.created_at <= e.recorded_at
        order by e.ord, ep.id
        on conflict do nothing`).pipe(Effect.map((rows) => rows.count))

export interface LeasedDelivery {
  readonly id: string
  readonly tenant: string
  readonly endpointId: string
  readonly url: string
  readonly eventId: string
  readonly eventType: string
  readonly payload: string
  readonly attempts: number
  /** Attempts in the current retry window (0 before its first). */
  readonly windowAttempts: number
  /** Null before the first attempt. */
  readonly retryUntil: Date | null
  /** The lease: its attempt is recorded only while the row is still held under it. */
  readonly leasedUntil: number
  readonly secrets: ReadonlyArray<string>
}

const at = (ms: number) => new Date(ms).toISOString()

/**
 * Due deliveries, leased to the caller until `now + leaseMs` in one statement that commits at
 * once: no transaction stays open while the caller talks to receivers, and a relay that dies
 * with a lease only delays its rows until the lease ends. A delivery is due when no earlier
 * delivery of the same member to the same endpoint is still pending (retrying, or leased by
 * anyone): a member's deliveries go out in order.
 */
export const leaseDue = (sql: Sql, now: number, leaseMs: number, limit: number) =>
  exec(() => sql<Array<{ id: string; tenant: string; endpoint_id: string; url: string; event_id: string; event_type: string; payload: string; attempts: number; window_attempts: number; retry_until: Date | null; secrets: Array<string> }>>`
    update reward.webhook_deliveries d set leased_until = ${at(now + leaseMs)}::timestamptz
    from reward.webhook_endpoints ep
    where ep.tenant = d.tenant and ep.id = d.endpoint_id and d.id in (
      select c.id from reward.webhook_deliveries c
      join reward.webhook_endpoints e on e.tenant = c.tenant and e.id = c.endpoint_id and e.enabled
      where c.status = 'pending'
        and (c.next_attempt_at is null or c.next_attempt_at <= ${at(now)}::timestamptz)
        and (c.leased_until is null or c.leased_until < ${at(now)}::timestamptz)
        and not exists (select 1 from reward.webhook_deliveries p
                        where p.tenant = c.tenant and p.endpoint_id = c.endpoint_id and p.user_id = c.user_id and p.status = 'pending' and p.id < c.id)
      order by c.id limit ${limit}
      for update of c skip locked)
    returning d.id::text as id, d.tenant, d.endpoint_id::text as endpoint_id, ep.url, d.event_id, d.event_type, d.payload, d.attempts, d.window_attempts, d.retry_until,
      array(select s.secret from reward.webhook_secrets s where s.tenant = d.tenant and s.endpoint_id = d.endpoint_id order by s.created_at desc, s.id) as secrets`).pipe(
    Effect.map((rows): ReadonlyArray<LeasedDelivery> =>
      rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))).map((row) => ({
        id: row.id,
        tenant: row.tenant,
        endpointId: row.endpoint_id,
        url: row.url,
        eventId: row.event_id,
        eventType: row.event_type,
        payload: row.payload,
        attempts: row.attempts,
        windowAttempts: row.window_attempts,
        retryUntil: row.retry_until,
        leasedUntil: now + leaseMs,
        secrets: row.secrets
      }))
    )
  )

export interface AttemptRecord {
  readonly deliveryId: string
  readonly leasedUntil: number
  readonly tenant: string
  readonly endpointId: string
  readonly attempt: number
  readonly windowAttempt: number
  readonly at: number
  readonly ok: boolean
  readonly status: number | null
  readonly error: string | null
  readonly latencyMs: number
  readonly excerpt: string | null
  /** When a failed delivery is tried again; null when it is given up (marked failed). */
  readonly nextAttemptAt: number | null
  readonly retryUntil: number
}

export interface EndpointHealthRule {
  readonly disableAfterMs: number
  readonly disableAfterFailures: number
}

/**
 * Records one attempt, in one transaction: the delivery's new state, the attempt in the log, and
 * the endpoint's run of failures (reset by a success; past the sustained-failure rule it disables
 * the endpoint, with the reason). `lost` when the row is no longer held under the caller's lease
 * (it ran out and another relay took the row, or the endpoint was deleted): nothing is recorded,
 * and the receiver dedupes the extra request by its event id.
 */
export const recordAttempt = (tx: Sql, record: AttemptRecord, rule: EndpointHealthRule) =>
  Effect.gen(function*() {
    const now = at(record.at)
    const status = record.ok ? "delivered" : record.nextAttemptAt === null ? "failed" : "pending"
    const held = yield* exec(() => tx`
      update reward.webhook_deliveries
      set status = ${status}, attempts = ${record.attempt}, window_attempts = ${record.windowAttempt}, leased_until = null,
          next_attempt_at = ${record.nextAttemptAt === null ? null : at(record.nextAttemptAt)}::timestamptz,
          retry_until = ${at(record.retryUntil)}::timestamptz,
          last_attempt_at = ${now}::timestamptz, last_status = ${record.status}, last_error = ${record.error},
          last_latency_ms = ${record.latencyMs}, last_response = ${record.excerpt}
      where id = ${record.deliveryId}::bigint and leased_until = ${at(record.leasedUntil)}::timestamptz
      returning id`)
    if (held.length === 0) return "lost" as const
    yield* exec(() => tx`
      insert into reward.webhook_attempts (delivery_id, attempt, at, status, error, latency_ms, response_excerpt)
      values (${record.deliveryId}::bigint, ${record.attempt}, ${now}::timestamptz, ${record.status}, ${record.error}, ${record.latencyMs}, ${record.excerpt})`)
    if (record.ok) {
      yield* exec(() => tx`
        update reward.webhook_endpoints set failing_since = null, consecutive_failures = 0
        where tenant = ${record.tenant} and id = ${record.endpointId}::uuid and (failing_since is not null or consecutive_failures > 0)`)
      return "recorded" as const
    }
    const rows = yield* exec(() => tx<Array<{ disabled: boolean }>>`
      update reward.webhook_endpoints e
      set failing_since = coalesce(e.failing_since, ${now}::timestamptz),
          consecutive_failures = e.consecutive_failures + 1,
          enabled = e.enabled and not (
            e.consecutive_failures + 1 >= ${rule.disableAfterFailures}
            and coalesce(e.failing_since, ${now}::timestamptz) <= ${now}::timestamptz - make_interval(secs => ${rule.disableAfterMs / 1000})),
          disabled_reason = case when e.enabled
            and e.consecutive_failures + 1 >= ${rule.disableAfterFailures}
            and coalesce(e.failing_since, ${now}::timestamptz) <= ${now}::timestamptz - make_interval(secs => ${rule.disableAfterMs / 1000})
            then 'every attempt failed since ' || to_char(coalesce(e.failing_since, ${now}::timestamptz) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                 || ' (' || (e.consecutive_failures + 1) || ' in a row); the last: ' || ${record.error ?? `HTTP ${record.status}`}
            else e.disabled_reason end
      where e.tenant = ${record.tenant} and e.id = ${record.endpointId}::uuid
      returning (e.disabled_reason is not null and not e.enabled) as disabled`)
    return rows[0]?.disabled === true ? "disabled" as const : "recorded" as const
  })
