import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { CompletionRecord, Part } from "./completion-record.ts"
import type { OrderKey } from "./orders-repo.ts"

type StoredPart = { eventId?: string; ref: string; at: number; amount: string }
type StoredRule = { amount: string; count: number; total: string | null; signature: string }

const encodeParts = (parts: ReadonlyArray<Part>) =>
  JSON.stringify(parts.map((p): StoredPart => ({ ...(p.eventId !== undefined && { eventId: p.eventId }), ref: p.ref, at: p.at, amount: D.toText(p.amount) })))

interface CompletionRow {
  readonly tenant: string
  readonly fulfillment_event_id: string
  readonly user_id: string
  readonly fulfillment_id: string
  readonly rule: string
  readonly parts: string
  readonly revoked: boolean
  readonly order_id: string
}

const recordOf = (row: CompletionRow): CompletionRecord => {
  const rule = JSON.parse(row.rule) as StoredRule
  return {
    tenant: row.tenant,
    fulfillmentEventId: row.fulfillment_event_id,
    userId: row.user_id,
    fulfillmentId: row.fulfillment_id,
    rule: { amount: D.fromText(rule.amount), count: rule.count, total: rule.total === null ? undefined : D.fromText(rule.total), signature: rule.signature },
    parts: (JSON.parse(row.parts) as Array<StoredPart>).map((p) => ({
      ...(p.eventId !== undefined && { eventId: p.eventId }), ref: p.ref, at: p.at, amount: D.fromText(p.amount)
    })),
    revoked: row.revoked
  }
}

/** Records a batch's completions of buy fulfillments, and which orders each used, in one statement. */
export const recordCompletions = (tx: Sql, records: ReadonlyArray<CompletionRecord>) => {
  if (records.length === 0) return Effect.void
  const links = records.flatMap((r) => [...new Set(r.parts.map((p) => p.ref))].map((orderId) => ({ tenant: r.tenant, orderId, id: r.fulfillmentEventId })))
  const rules = records.map((r) =>
    JSON.stringify({ amount: D.toText(r.rule.amount), count: r.rule.count, total: r.rule.total === undefined ? null : D.toText(r.rule.total), signature: r.rule.signature } satisfies StoredRule)
  )
  return exec(() => tx`
    with added as (
      insert into fulfillment.completions (tenant, fulfillment_event_id, user_id, fulfillment_id, rule, parts)
      select k.tenant, k.id, k.user_id, k.fulfillment_id, k.rule::jsonb, k.parts::jsonb
      from unnest(${records.map((r) => r.tenant)}::text[], ${records.map((r) => r.fulfillmentEventId)}::text[], ${records.map((r) => r.userId)}::text[],
                  ${records.map((r) => r.fulfillmentId)}::uuid[], ${rules}::text[], ${records.map((r) => encodeParts(r.parts))}::text[])
        as k(tenant, id, user_id, fulfillment_id, rule, parts)
      on conflict do nothing
    )
    insert into fulfillment.completion_orders (tenant, order_id, fulfillment_event_id)
    select * from unnest(${links.map((l) => l.tenant)}::text[], ${links.map((l) => l.orderId)}::text[], ${links.map((l) => l.id)}::text[])
    on conflict do nothing`).pipe(Effect.asVoid)
}

/**
 * The completions the orders `keys` took part in, locked until the transaction ends (in key
 * order): one completion can use purchases of several orders, each refunded on its own. Keyed by
 * order; a completion of several of the orders appears under each.
 */
export const lockCompletionsOf = (tx: Sql, keys: ReadonlyArray<OrderKey>) => {
  if (keys.length === 0) return Effect.succeed(new Map<string, ReadonlyArray<CompletionRecord>>())
  return exec(() => tx<Array<CompletionRow>>`
    select c.tenant, c.fulfillment_event_id, c.user_id, c.fulfillment_id::text as fulfillment_id, c.rule::text as rule, c.parts::text as parts,
           c.revoked, o.order_id
    from fulfillment.completion_orders o
    join unnest(${keys.map((k) => k.tenant)}::text[], ${keys.map((k) => k.orderId)}::text[]) as k(tenant, order_id)
      on o.tenant = k.tenant and o.order_id = k.order_id
    join fulfillment.completions c on c.tenant = o.tenant and c.fulfillment_event_id = o.fulfillment_event_id
    order by c.tenant, c.fulfillment_event_id
    for update of c`).pipe(
    Effect.map((rows) => {
      const byOrder = new Map<string, Array<CompletionRecord>>()
      for (const row of rows) {
        const key = `${row.tenant}\u0000${row.order_id}`
        const list = byOrder.get(key) ?? []
        list.push(recordOf(row))
        byOrder.set(key, list)
      }
      return byOrder as ReadonlyMap<string, ReadonlyArray<CompletionRecord>>
    })
  )
}

/** Writes back what refunds did to completions: their parts' amounts, and whether revoked. */
export const saveCompletions = (tx: Sql, records: ReadonlyArray<CompletionRecord>) => {
  if (records.length === 0) return Effect.void
  return exec(() => tx`
    update fulfillment.completions c set parts = k.parts::jsonb, revoked = k.revoked::boolean
    from unnest(${records.map((r) => r.tenant)}::text[], ${records.map((r) => r.fulfillmentEventId)}::text[],
                ${records.map((r) => encodeParts(r.parts))}::text[], ${records.map((r) => String(r.revoked))}::text[]) as k(tenant, id, parts, revoked)
    where c.tenant = k.tenant and c.fulfillment_event_id = k.id`).pipe(Effect.asVoid)
}
