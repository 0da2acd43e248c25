import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { loadMigrations, migrate } from "../../src/db/migrations.ts"
import { scratchDatabase } from "../support/layers.ts"

describe("the points lifecycle (migration 0016) on a database with balances", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  const sql = <T>(text: string) => scratch.sql<T>(text)

  beforeAll(async () => {
    scratch = await scratchDatabase()
    await scratch.runtime.runPromise(migrate(loadMigrations().filter((m) => m.id < 16)))
    await sql(`
      insert into reward.ledger (tenant, user_id, amount, kind, event_id, occurred_at) values
        ('meiwei', 'ada', 100, 'credit', 'e1', '2026-01-01T00:00:00Z'),
        ('meiwei', 'ada', 30, 'credit', 'e2', '2026-01-02T00:00:00Z'),
        ('meiwei', 'ada', -110, 'redemption', null, null),
        ('meiwei', 'ada', 5.5, 'credit', 'e3', null),
        ('tea', 'ada', 7, 'credit', 'e1', '2026-01-01T00:00:00Z');
      insert into reward.balances (tenant, user_id, points) values ('meiwei', 'ada', 25.5), ('tea', 'ada', 7)`)
    await scratch.runtime.runPromise(migrate())
  })
  afterAll(async () => {
    await scratch?.close()
  })

  test("every old credit is a spendable lot holding what the balance still has of it, newest kept first", async () => {
    expect(await sql(`select tenant, lot_key, points::text, remaining::text, pending, expires_at from reward.lots order by tenant, id`)).toEqual([
      { tenant: "meiwei", lot_key: "credit:e1", points: "100.0000", remaining: "0.0000", pending: false, expires_at: null },
      { tenant: "meiwei", lot_key: "credit:e2", points: "30.0000", remaining: "20.0000", pending: false, expires_at: null },
      { tenant: "meiwei", lot_key: "credit:e3", points: "5.5000", remaining: "5.5000", pending: false, expires_at: null },
      { tenant: "tea", lot_key: "credit:e1", points: "7.0000", remaining: "7.0000", pending: false, expires_at: null }
    ])
    expect(await sql(`select count(*)::int as n from reward.ledger where kind = 'credit' and lot_id is null`)).toEqual([{ n: 0 }])
  })

  test("balances keep their points, with nothing pending and what they earned", async () => {
    expect(await sql(`select tenant, points::text, pending::text, earned::text, tier from reward.balances order by tenant`)).toEqual([
      { tenant: "meiwei", points: "25.5000", pending: "0.0000", earned: "135.5000", tier: null },
      { tenant: "tea", points: "7.0000", pending: "0.0000", earned: "7.0000", tier: null }
    ])
  })
})
