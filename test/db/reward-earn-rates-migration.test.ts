import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { Database } from "../../src/db/database.ts"
import { loadMigrations, migrate } from "../../src/db/migrations.ts"
import { scratchDatabase } from "../support/layers.ts"

describe("reward kinds and definitions (migration 0012) on a database with rewards", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  const sql = <T>(text: string) => scratch.sql<T>(text)

  beforeAll(async () => {
    scratch = await scratchDatabase()
    await scratch.runtime.runPromise(migrate(loadMigrations().filter((m) => m.id < 12)))
    await sql(`
      insert into reward.rewards (id, tenant, points, created_at) values
        ('0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', 'meiwei', 100, '2026-01-01T00:00:00Z'),
        ('22222222-2222-4222-8222-222222222222', 'tea', 0.25, '2026-01-02T00:00:00Z');
      insert into reward.ledger (tenant, user_id, amount, kind, reward_id) values ('meiwei', 'ada', 100, 'credit', '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d')`)
    await scratch.runtime.runPromise(migrate())
  })
  afterAll(async () => {
    await scratch?.close()
  })

  test("existing rewards are fixed, versioned in creation order, and their ledger entries keep empty causes", async () => {
    expect(await sql(`select tenant, kind, points::text, points_per_unit, unit, rounding, max_points, version::int from reward.rewards order by version`)).toEqual([
      { tenant: "meiwei", kind: "fixed", points: "100.0000", points_per_unit: null, unit: null, rounding: null, max_points: null, version: 1 },
      { tenant: "tea", kind: "fixed", points: "0.2500", points_per_unit: null, unit: null, rounding: null, max_points: null, version: 2 }
    ])
    expect(await sql(`select occurred_at, basis, order_ids from reward.ledger`)).toEqual([{ occurred_at: null, basis: null, order_ids: null }])
  })

  test("every existing reward is queued once on topic reward-definition, so the topic starts complete", async () => {
    const [row, ...more] = await sql<Array<{ messages: string }>>(`select messages from reward.outbox`)
    expect(more).toEqual([])
    const messages = JSON.parse(row!.messages) as Array<{ topic: string; key: string; value: string }>
    expect(messages.map((m) => [m.topic, m.key, JSON.parse(m.value)])).toEqual([
      ["reward-definition", "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", {
        tenant: "meiwei", rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", version: 1, deleted: false, kind: "fixed", points: "100",
        eventId: "reward-definition:0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d:v1"
      }],
      ["reward-definition", "22222222-2222-4222-8222-222222222222", {
        tenant: "tea", rewardId: "22222222-2222-4222-8222-222222222222", version: 2, deleted: false, kind: "fixed", points: "0.25",
        eventId: "reward-definition:22222222-2222-4222-8222-222222222222:v2"
      }]
    ])
  })

  test("a row holds the fields of its kind only", async () => {
    const refused = await scratch.runtime.runPromiseExit(Effect.flatMap(Effect.service(Database), (db) =>
      db.run((s) => s`insert into reward.rewards (id, tenant, kind, points, unit) values (gen_random_uuid(), 'meiwei', 'per_amount', 5, 10)`)))
    expect(String(refused)).toContain("rewards_rule_of_its_kind")
  })
})
