import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { Database } from "../../src/db/database.ts"
import { loadMigrations, migrate } from "../../src/db/migrations.ts"
import { scratchDatabase } from "../support/layers.ts"

describe("moving to tenant-scoped event ids (migration 0009) on a database with data", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  const sql = <T>(text: string) => scratch.sql<T>(text)

  beforeAll(async () => {
    scratch = await scratchDatabase()
    await scratch.runtime.runPromise(migrate(loadMigrations().filter((m) => m.id < 9)))
    await sql(`
      insert into users.tenants (id, name) values ('meiwei', 'Meiwei Bakery'), ('tea', 'Tea house');
      insert into users.members (id, tenant, fullname, username) values ('8a0c7b8e-0d7c-4b7a-9a55-1a2b3c4d5e6f', 'gone', 'Old Member', 'old');
      insert into fulfillment.processed_events (topic, event_id) values ('buy', 'buy/2/17'), ('buy', 'order-1'), ('activity', 'activity/0/3');
      insert into reward.processed_events (topic, event_id) values ('reward', '5c1e0a9e-2b7d-5f3a-8c1d-0e9f8a7b6c5d')`)
    await scratch.runtime.runPromise(migrate())
  })
  afterAll(async () => {
    await scratch?.close()
  })

  test("every id processed before still counts, and offset ids are recorded in their new, reserved form as well", async () => {
    const legacy = await sql<Array<{ topic: string; event_id: string }>>(`select topic, event_id from fulfillment.processed_events_legacy order by topic, event_id`)
    expect(legacy).toEqual([
      { topic: "activity", event_id: "activity/0/3" },
      { topic: "activity", event_id: "loyaltea:activity/0/3" },
      { topic: "buy", event_id: "buy/2/17" },
      { topic: "buy", event_id: "loyaltea:buy/2/17" },
      { topic: "buy", event_id: "order-1" }
    ])
    expect(await sql(`select event_id from reward.processed_events_legacy`)).toEqual([{ event_id: "5c1e0a9e-2b7d-5f3a-8c1d-0e9f8a7b6c5d" }])
    expect(await sql(`select count(*)::int as n from fulfillment.processed_events`)).toEqual([{ n: 0 }])
  })

  test("the tenants that exist are copied to every consuming service and queued once on topic tenant", async () => {
    for (const schema of ["campaign", "reward", "fulfillment"]) {
      expect(await sql(`select id, allow_events_without_id as allow, version::int from ${schema}.tenants order by id`)).toEqual([
        { id: "meiwei", allow: false, version: 1 },
        { id: "tea", allow: false, version: 1 }
      ])
    }
    const [row] = await sql<Array<{ messages: string }>>(`select messages from users.outbox`)
    const messages = JSON.parse(row!.messages) as Array<{ topic: string; key: string; value: string }>
    expect(messages.map((m) => [m.topic, m.key, JSON.parse(m.value)])).toEqual([
      ["tenant", "meiwei", { tenant: "meiwei", name: "Meiwei Bakery", allowEventsWithoutId: false, version: 1, eventId: "tenant:meiwei:v1" }],
      ["tenant", "tea", { tenant: "tea", name: "Tea house", allowEventsWithoutId: false, version: 1, eventId: "tenant:tea:v1" }]
    ])
  })

  test("members of tenants that do not exist stay, and no new one can be added", async () => {
    expect(await sql(`select username from users.members`)).toEqual([{ username: "old" }])
    const refused = await scratch.runtime.runPromiseExit(Effect.flatMap(Effect.service(Database), (db) =>
      db.run((s) => s`insert into users.members (id, tenant, fullname, username) values (gen_random_uuid(), 'gone', 'New', 'new')`)))
    expect(String(refused)).toContain("members_tenant_fkey")
  })
})
