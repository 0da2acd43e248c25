import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import type { IdentifiedBuy } from "./purchase-row.ts"

const keyOf = (tenant: string, eventId: string) => `${tenant}\u0000${eventId}`

/**
 * Records the batch's purchases as imported, in the caller's transaction, and splits them: those
 * no import sent before (the first row of an event id the batch holds twice), and the rest, the
 * duplicates. Keys go in sorted, so that two imports of overlapping files wait on each other
 * instead of deadlocking; the second counts what the first sent as duplicates.
 */
export const firstImports = (tx: Sql, buys: ReadonlyArray<IdentifiedBuy>) =>
  Effect.gen(function*() {
    const keys = [...new Map(buys.map((buy) => [keyOf(buy.tenant, buy.eventId), [buy.tenant, buy.eventId] as const])).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, key]) => key)
    const inserted = yield* exec(() => tx<Array<{ tenant: string; event_id: string }>>`
      insert into fulfillment.imported_purchases (tenant, event_id)
      select * from unnest(${keys.map(([tenant]) => tenant)}::text[], ${keys.map(([, eventId]) => eventId)}::text[])
      on conflict (tenant, event_id) do nothing
      returning tenant, event_id`)
    const unsent = new Set(inserted.map((row) => keyOf(row.tenant, row.event_id)))
    const fresh: Array<IdentifiedBuy> = []
    for (const buy of buys) if (unsent.delete(keyOf(buy.tenant, buy.eventId))) fresh.push(buy)
    return { fresh, duplicates: buys.length - fresh.length }
  })
