import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { AppConfig } from "../../src/config/app-config.ts"
import { Database } from "../../src/db/database.ts"
import { migrate } from "../../src/db/migrations.ts"
import { pruneProcessedEvents, startProcessedEventsPruning } from "../../src/kafka/processed-events-pruning.ts"
import { markProcessed } from "../../src/kafka/processed-events.ts"
import { scratchDatabase, testConfig } from "../support/layers.ts"

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

  test("a horizon of a fraction of a day prunes by the minute, whatever the tenant", async () => {
    await sql(`
      insert into campaign.processed_events (tenant, topic, event_id, processed_at)
      select t, 'fulfillment', t || '-old-' || n, now() - interval '10 minutes' from generate_series(1, 3) n, unnest(array['shop', 'other', '']) t;
      insert into campaign.processed_events (tenant, topic, event_id, processed_at)
      select t, 'fulfillment', t || '-young-' || n, now() - interval '1 minute' from generate_series(1, 2) n, unnest(array['shop', 'other', '']) t`)
    const deleted = await scratch.runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => pruneProcessedEvents(db.sql, "campaign", 5 / 1440)))
    expect(deleted).toBe(9)
    expect(await sql(`select tenant, count(*)::int as n, bool_and(event_id like '%-young-%') as young from campaign.processed_events group by tenant order by tenant`))
      .toEqual([{ tenant: "", n: 2, young: true }, { tenant: "other", n: 2, young: true }, { tenant: "shop", n: 2, young: true }])
  })

  test("the job prunes every LOYALTEA_PRUNE_INTERVAL_SECONDS, the first time one interval after start", async () => {
    await sql(`
      insert into fulfillment.processed_events (tenant, topic, event_id, processed_at)
      select t, 'buy', t || '-old', now() - interval '3 minutes' from unnest(array['shop', 'other']) t;
      insert into fulfillment.processed_events (tenant, topic, event_id) select t, 'buy', t || '-young' from unnest(array['shop', 'other']) t`)
    const left = () => sql<Array<{ event_id: string }>>(`select event_id from fulfillment.processed_events order by event_id`)
    const config = testConfig({ pruneIntervalSeconds: 1, kafka: { ...testConfig().kafka, processedEventsRetentionDays: 2 / 1440 } })
    const seen = await scratch.runtime.runPromise(Effect.scoped(Effect.gen(function*() {
      yield* startProcessedEventsPruning("fulfillment")
      const atStart = yield* Effect.promise(left)
      yield* Effect.sleep("1500 millis")
      const afterFirst = yield* Effect.promise(left)
      // What ages past the horizon after a run goes with the next one.
      yield* Effect.promise(() => sql(`insert into fulfillment.processed_events (tenant, topic, event_id, processed_at) values ('shop', 'buy', 'shop-late', now() - interval '1 hour')`))
      yield* Effect.sleep("1200 millis")
      return { atStart, afterFirst, afterSecond: yield* Effect.promise(left) }
    }).pipe(Effect.provideService(AppConfig, config))))
    expect(seen.atStart.map((r) => r.event_id)).toEqual(["other-old", "other-young", "shop-old", "shop-young"])
    expect(seen.afterFirst.map((r) => r.event_id)).toEqual(["other-young", "shop-young"])
    expect(seen.afterSecond.map((r) => r.event_id)).toEqual(["other-young", "shop-young"])
  })
})
