import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { Order, OrderLine } from "./order.ts"

interface OrderRow {
  readonly tenant: string
  readonly order_id: string
  readonly user_id: string | null
  readonly lines: string
  readonly held_refunds: number
}

type StoredLine = { eventId: string; product: string; amount: string; judged: string; refunded: string; at: number }

const encodeLines = (lines: ReadonlyArray<OrderLine>) =>
  JSON.stringify(lines.map((l): StoredLine => ({
    eventId: l.eventId, product: l.product, amount: D.toText(l.amount), judged: D.toText(l.judged), refunded: D.toText(l.refunded), at: l.at
  })))

const decodeLines = (text: string): ReadonlyArray<OrderLine> =>
  (JSON.parse(text) as Array<StoredLine>).map((l) => ({
    eventId: l.eventId, product: l.product, amount: D.fromText(l.amount), judged: D.fromText(l.judged), refunded: D.fromText(l.refunded), at: l.at
  }))

const orderOf = (row: OrderRow): Order => ({
  tenant: row.tenant,
  orderId: row.order_id,
  userId: row.user_id ?? undefined,
  lines: decodeLines(row.lines),
  heldRefunds: row.held_refunds
})

export interface OrderKey {
  readonly tenant: string
  readonly orderId: string
}

/** What a batch of purchases adds to one order. */
export interface NewLines extends OrderKey {
  readonly userId: string
  readonly lines: ReadonlyArray<OrderLine>
}

const sorted = <A extends OrderKey>(keys: ReadonlyArray<A>) =>
  [...keys].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0))

/**
 * Adds a batch's purchases to their orders (one per order, created when new) and returns the
 * orders as they now stand, in one statement. The rows stay locked until the batch's transaction
 * ends, in key order: a refund batch of the same order waits, and then sees these purchases.
 */
export const addLines = (tx: Sql, added: ReadonlyArray<NewLines>) => {
  if (added.length === 0) return Effect.succeed([] as ReadonlyArray<Order>)
  const rows = sorted(added)
  return exec(() => tx<Array<OrderRow>>`
    insert into fulfillment.orders as o (tenant, order_id, user_id, lines)
    select k.tenant, k.order_id, k.user_id, k.lines::jsonb
    from unnest(${rows.map((r) => r.tenant)}::text[], ${rows.map((r) => r.orderId)}::text[], ${rows.map((r) => r.userId)}::text[],
                ${rows.map((r) => encodeLines(r.lines))}::text[]) with ordinality as k(tenant, order_id, user_id, lines, n)
    order by k.n
    -- A purchase the order holds already (a replay past the processed-events retention) is not added twice.
    on conflict (tenant, order_id) do update
      set lines = o.lines || coalesce((
            select jsonb_agg(line) from jsonb_array_elements(excluded.lines) line
            where not exists (select 1 from jsonb_array_elements(o.lines) kept where kept->>'eventId' = line->>'eventId')), '[]'),
          user_id = coalesce(o.user_id, excluded.user_id), updated_at = now()
    returning o.tenant, o.order_id, o.user_id, o.lines::text as lines, o.held_refunds`).pipe(Effect.map((found) => found.map(orderOf)))
}

/**
 * The orders `keys` name, as last committed, locked until the transaction ends (in key order; an
 * order not seen yet gets an empty row, so that its purchase, when it comes, waits for this batch).
 */
export const lockOrders = (tx: Sql, keys: ReadonlyArray<OrderKey>) => {
  if (keys.length === 0) return Effect.succeed([] as ReadonlyArray<Order>)
  const rows = sorted(keys)
  return exec(() => tx<Array<OrderRow>>`
    insert into fulfillment.orders as o (tenant, order_id)
    select k.tenant, k.order_id from unnest(${rows.map((r) => r.tenant)}::text[], ${rows.map((r) => r.orderId)}::text[]) with ordinality as k(tenant, order_id, n)
    order by k.n
    -- A no-op update: it takes the row lock and returns the row as last committed.
    on conflict (tenant, order_id) do update set held_refunds = o.held_refunds
    returning o.tenant, o.order_id, o.user_id, o.lines::text as lines, o.held_refunds`).pipe(Effect.map((found) => found.map(orderOf)))
}

/** Writes back the orders a batch changed (their purchases and held refunds), in one statement. */
export const saveOrders = (tx: Sql, orders: ReadonlyArray<Order>) => {
  if (orders.length === 0) return Effect.void
  const rows = sorted(orders)
  return exec(() => tx`
    update fulfillment.orders o
    set lines = k.lines::jsonb, user_id = k.user_id, held_refunds = k.held, updated_at = now()
    from unnest(${rows.map((r) => r.tenant)}::text[], ${rows.map((r) => r.orderId)}::text[], ${rows.map((r) => r.userId ?? null)}::text[],
                ${rows.map((r) => encodeLines(r.lines))}::text[], ${rows.map((r) => r.heldRefunds)}::int[]) as k(tenant, order_id, user_id, lines, held)
    where o.tenant = k.tenant and o.order_id = k.order_id`).pipe(Effect.asVoid)
}

/** The orders `keys` name as last committed (read only; unknown orders are absent). */
export const findOrders = (sql: Sql, keys: ReadonlyArray<OrderKey>) => {
  if (keys.length === 0) return Effect.succeed([] as ReadonlyArray<Order>)
  return exec(() => sql<Array<OrderRow>>`
    select o.tenant, o.order_id, o.user_id, o.lines::text as lines, o.held_refunds from fulfillment.orders o
    join unnest(${keys.map((k) => k.tenant)}::text[], ${keys.map((k) => k.orderId)}::text[]) as k(tenant, order_id)
      on o.tenant = k.tenant and o.order_id = k.order_id`).pipe(Effect.map((found) => found.map(orderOf)))
}
