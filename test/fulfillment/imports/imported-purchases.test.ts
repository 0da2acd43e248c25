import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { firstImports } from "../../../src/actors/fulfillment/imports/imported-purchases.ts"
import { pruneImportedPurchases } from "../../../src/actors/fulfillment/imports/imported-purchases-pruning.ts"
import type { IdentifiedBuy } from "../../../src/actors/fulfillment/imports/purchase-row.ts"
import { Database } from "../../../src/db/database.ts"
import { migrate } from "../../../src/db/migrations.ts"
import { scratchDatabase } from "../../support/layers.ts"

const buy = (tenant: string, eventId: string, userId = "ann") =>
  ({ tenant, eventId, userId, amount: 5, product: "bread", occurredAt: "2025-11-30T09:30:00Z" }) as unknown as IdentifiedBuy

describe("the record of purchases imports have sent", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  const sql = <T>(text: string) => scratch.sql<T>(text)
  const first = (buys: ReadonlyArray<IdentifiedBuy>, fail = false) =>
    scratch.runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) =>
      db.transaction((tx) => firstImports(tx, buys).pipe(Effect.flatMap((split) => (fail ? Effect.fail("the produce failed" as const) : Effect.succeed(split)))))
    ).pipe(Effect.map(({ fresh, duplicates }) => ({ fresh: fresh.map((b) => `${b.tenant}/${b.eventId}/${b.userId}`), duplicates })), Effect.catch((e) => Effect.succeed(e))))

  beforeAll(async () => {
    scratch = await scratchDatabase()
    await scratch.runtime.runPromise(migrate())
  })
  afterAll(async () => {
    await scratch?.close()
  })

  test("an event id is new once per tenant: the first row of it in a batch is sent, later rows and later batches are duplicates; another tenant's same id is new", async () => {
    expect(await first([buy("shop", "e1", "first"), buy("shop", "e2"), buy("shop", "e1", "second")])).toEqual({ fresh: ["shop/e1/first", "shop/e2/ann"], duplicates: 1 })
    expect(await first([buy("shop", "e2"), buy("shop", "e3"), buy("other", "e1")])).toEqual({ fresh: ["shop/e3/ann", "other/e1/ann"], duplicates: 1 })
    expect(await sql(`select tenant, event_id from fulfillment.imported_purchases order by tenant, event_id`)).toEqual([
      { tenant: "other", event_id: "e1" }, { tenant: "shop", event_id: "e1" }, { tenant: "shop", event_id: "e2" }, { tenant: "shop", event_id: "e3" }
    ])
  })

  test("a batch whose transaction fails (its produce did not succeed) records nothing: the next import sends it", async () => {
    expect(await first([buy("shop", "lost-1"), buy("shop", "lost-2")], true)).toBe("the produce failed")
    expect(await first([buy("shop", "lost-1"), buy("shop", "lost-2")])).toEqual({ fresh: ["shop/lost-1/ann", "shop/lost-2/ann"], duplicates: 0 })
  })

  test("records older than the processed-events retention are pruned; younger ones still make a row a duplicate", async () => {
    await sql(`
      insert into fulfillment.imported_purchases (tenant, event_id, imported_at)
      select 'prune', 'old-' || n, now() - interval '40 days' from generate_series(1, 12000) n;
      insert into fulfillment.imported_purchases (tenant, event_id, imported_at) values ('prune', 'recent', now() - interval '29 days')`)
    const deleted = await scratch.runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => pruneImportedPurchases(db.sql, 30)))
    expect(deleted).toBe(12_000)
    expect(await sql(`select event_id from fulfillment.imported_purchases where tenant = 'prune'`)).toEqual([{ event_id: "recent" }])
    expect(await first([buy("prune", "recent"), buy("prune", "old-1")])).toEqual({ fresh: ["prune/old-1/ann"], duplicates: 1 })
  })
})
