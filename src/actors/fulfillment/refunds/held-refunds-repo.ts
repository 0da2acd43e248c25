import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { RefundEvent } from "../../../events/refund.ts"
import { tenantFilter } from "../../../db/tenant-filter.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import type { OrderKey } from "./orders-repo.ts"

/** A refund waiting for its order's first purchase, with where it sat in the log (for a dead letter). */
export interface HeldRefund {
  readonly tenant: string
  readonly orderId: string
  readonly eventId: string
  readonly userId: string
  readonly amount: D.Decimal | undefined
  /** Event time, ms. */
  readonly eventTime: number
  readonly partition: number
  readonly offset: string
  readonly event: RefundEvent
}

interface HeldRow {
  readonly tenant: string
  readonly order_id: string
  readonly event_id: string
  readonly user_id: string
  readonly amount: string | null
  readonly event_ms: string
  readonly partition: number
  readonly offset: string
  readonly event: string
}

export const holdRefunds = (tx: Sql, held: ReadonlyArray<HeldRefund>) => {
  if (held.length === 0) return Effect.void
  return exec(() => tx`
    insert into fulfillment.held_refunds (tenant, order_id, event_id, user_id, amount, event_time, partition, "offset", event)
    select k.tenant, k.order_id, k.event_id, k.user_id, k.amount::numeric, to_timestamp(k.event_ms / 1000.0), k.partition, k.offset, k.event::jsonb
    from unnest(${held.map((h) => h.tenant)}::text[], ${held.map((h) => h.orderId)}::text[], ${held.map((h) => h.eventId)}::text[],
                ${held.map((h) => h.userId)}::text[], ${held.map((h) => (h.amount === undefined ? null : D.toText(h.amount)))}::text[],
                ${held.map((h) => String(h.eventTime))}::bigint[], ${held.map((h) => h.partition)}::int[], ${held.map((h) => h.offset)}::text[],
                ${held.map((h) => JSON.stringify(h.event))}::text[])
      as k(tenant, order_id, event_id, user_id, amount, event_ms, partition, "offset", event)
    on conflict do nothing`).pipe(Effect.asVoid)
}

/** The refunds held for `orders`, each order's in the order they arrived. */
export const heldFor = (tx: Sql, orders: ReadonlyArray<OrderKey>) => {
  if (orders.length === 0) return Effect.succeed([] as ReadonlyArray<HeldRefund>)
  return exec(() => tx<Array<HeldRow>>`
    select h.tenant, h.order_id, h.event_id, h.user_id, h.amount::text as amount,
           round(extract(epoch from h.event_time) * 1000)::bigint::text as event_ms, h.partition, h."offset", h.event::text as event
    from fulfillment.held_refunds h
    join unnest(${orders.map((o) => o.tenant)}::text[], ${orders.map((o) => o.orderId)}::text[]) as k(tenant, order_id)
      on h.tenant = k.tenant and h.order_id = k.order_id
    order by h.tenant, h.order_id, h.held_at, h.partition, h."offset"::numeric`).pipe(
    Effect.map((rows) =>
      rows.map((r): HeldRefund => ({
        tenant: r.tenant,
        orderId: r.order_id,
        eventId: r.event_id,
        userId: r.user_id,
        amount: r.amount === null ? undefined : D.fromText(r.amount),
        eventTime: Number(r.event_ms),
        partition: r.partition,
        offset: r.offset,
        event: JSON.parse(r.event) as RefundEvent
      }))
    )
  )
}

export const releaseHeld = (tx: Sql, held: ReadonlyArray<HeldRefund>) => {
  if (held.length === 0) return Effect.void
  return exec(() => tx`
    delete from fulfillment.held_refunds h
    using unnest(${held.map((h) => h.tenant)}::text[], ${held.map((h) => h.orderId)}::text[], ${held.map((h) => h.eventId)}::text[]) as k(tenant, order_id, event_id)
    where h.tenant = k.tenant and h.order_id = k.order_id and h.event_id = k.event_id`).pipe(Effect.asVoid)
}

/** How many refunds wait for their purchase in each tenant of `scope` (tenants with none are left out), and since when. */
export const heldSummary = (sql: Sql, scope: TenantScope) =>
  exec(() => sql<Array<{ tenant: string; held: number; oldest: string }>>`
    select tenant, count(*)::int as held, to_char(min(held_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as oldest
    from fulfillment.held_refunds t
    where ${tenantFilter(sql, scope)}
    group by tenant order by tenant`).pipe(Effect.map((rows) => rows.map((r) => ({ tenant: r.tenant, held: r.held, oldest: r.oldest }))))
