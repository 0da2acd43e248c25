import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { Database } from "../../src/db/database.ts"
import { migrate } from "../../src/db/migrations.ts"
import { pruneProcessedEvents } from "../../src/kafka/processed-events-pruning.ts"
import { markProcessed } from "../../src/kafka/processed-events.ts"
import { scratchDatabase } from "../support/layers.ts"

describe("pruning processed-event ids past the retention horizon", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  const sql = <T>(text: string) => scratch.sql<T>(text)

  beforeAll(async () => {
    scratch = await scratchDatabase()
    await scratch.runtime.runPromise(migrate())
  })
  afterAll(async () => {
    await scratch?.close()
  })

  test("ids older than the horizon go, in chunks, from both tables; younger ones stay and still make a replay a no-op", async () => {
    await sql(`
      insert into reward.processed_events (tenant, topic, event_id, processed_at)
      select 'shop', 'reward', 'old-' || n, now() - interval '40 days' from generate_series(1, 25000) n;
      insert into reward.processed_events (tenant, topic, event_id, processed_at)
      select 'shop', 'reward', 'recent-' || n, now() - interval '29 days' from generate_series(1, 10) n;
      insert into reward.processed_events_legacy (topic, event_id, processed_at) values
        ('reward', 'legacy-old', now() - interval '31 days'), ('reward', 'legacy-recent', now() - interval '1 day')`)
    const deleted = await scratch.runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => pruneProcessedEvents(db.sql, "reward", 30)))
    expect(deleted).toBe(25_001)
    expect(await sql(`select count(*)::int as n from reward.processed_events`)).toEqual([{ n: 10 }])
    expect(await sql(`select event_id from reward.processed_events_legacy`)).toEqual([{ event_id: "legacy-recent" }])
    const fresh = await scratch.runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) =>
      db.transaction((tx) => markProcessed(tx, "reward", "reward", [
        { tenant: "shop", eventId: "recent-1" },
        { tenant: "other", eventId: "legacy-recent" },
        { tenant: "shop", eventId: "old-1" }
      ]))))
    expect([...fresh]).toEqual(["shop\u0000old-1"])
  })
})
