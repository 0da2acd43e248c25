import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { creditHandler } from "../../src/actors/reward/actor.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { RewardUseCases } from "../../src/actors/reward/service.ts"
import { Database } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { emittedSql } from "../support/emitted.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { tenant } from "../support/values.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

const ids = {
  spend: "a0000000-0000-4000-8000-000000000001", // 1 per 10.00, down, at most 500
  nearest: "a0000000-0000-4000-8000-000000000002", // 2 per 5, nearest
  exact: "a0000000-0000-4000-8000-000000000003", // 1.5 per 10, exact
  coffee: "a0000000-0000-4000-8000-000000000004" // fixed 100
}
const campaign = "33333333-3333-4333-8333-333333333333"
const recordTime = Date.parse("2026-06-01T12:00:00Z")

const rewardEvent = (eventId: string, rewardId: string, userId: string, extra: Record<string, unknown> = {}) =>
  ({ tenant: "shop", rewardId, userId, eventId, campaignId: campaign, ...extra })

describe("crediting per_amount rewards and the points events carry", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | TenantDirectory>>
  let offset = 0
  const run = <A, E>(effect: Effect.Effect<A, E, RewardUseCases | Database | TenantDirectory>) => runtime.runPromise(effect)
  const query = <T>(text: string) => run(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql.unsafe(text) as unknown as Promise<T>)))
  const credit = (values: ReadonlyArray<unknown>) => {
    const messages = rawMessages("reward", values, { firstOffset: offset, timestamp: recordTime })
    offset += values.length
    return run(processBatch("reward", creditHandler, messages))
  }
  const entries = (userId: string) =>
    query<Array<{ event_id: string; amount: string }>>(`select event_id, amount::text from reward.ledger where user_id = '${userId}' order by id`)
  const balance = async (userId: string) =>
    (await query<Array<{ points: string }>>(`select points::text from reward.balances where tenant = 'shop' and user_id = '${userId}'`))[0]?.points
  const emitted = (topic: string) =>
    query<Array<{ value: string }>>(`select value from (${emittedSql("reward")}) e where topic = '${topic}' order by id::numeric`).then((rows) =>
      rows.map((row) => JSON.parse(row.value) as Record<string, unknown>))

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["shop", "elsewhere"])
    const shop = tenant("shop")
    await run(Effect.flatMap(Effect.service(RewardUseCases), (u) =>
      Effect.all([
        u.createReward(allTenants, { tenant: shop, reward_id: ids.spend, kind: "per_amount", points_per_unit: 1, unit: 10.0, rounding: "down", max_points: 500 }),
        u.createReward(allTenants, { tenant: shop, reward_id: ids.nearest, kind: "per_amount", points_per_unit: 2, unit: 5, rounding: "nearest" }),
        u.createReward(allTenants, { tenant: shop, reward_id: ids.exact, kind: "per_amount", points_per_unit: 1.5, unit: 10, rounding: "exact" }),
        u.createReward(allTenants, { tenant: shop, reward_id: ids.coffee, reward_points: 100 })
      ])))
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a per_amount reward credits its rate on the event's basis: 129.99 at 1 per 10.00, down, at most 500 is 12", async () => {
    const outcome = await credit([
      rewardEvent("p1", ids.spend, "ada", { basis: "129.99" }),
      rewardEvent("p2", ids.spend, "ada", { basis: "100000" }),
      rewardEvent("p3", ids.nearest, "ada", { basis: "12.5" }),
      rewardEvent("p4", ids.exact, "ada", { basis: "129.99" }),
      rewardEvent("p5", ids.coffee, "ada", { basis: "3" })
    ])
    expect(outcome).toMatchObject({ applied: 5, deadLettered: 0 })
    expect(await entries("ada")).toEqual([
      { event_id: "p1", amount: "12.0000" },
      { event_id: "p2", amount: "500.0000" },
      { event_id: "p3", amount: "6.0000" },
      { event_id: "p4", amount: "19.4985" },
      { event_id: "p5", amount: "100.0000" }
    ])
    expect(await balance("ada")).toBe("637.4985")
    const notes = (await emitted("reward-notify")).filter((n) => n.userId === "ada")
    expect(notes.map((n) => [n.points, n.balance])).toEqual([[12, 12], [500, 512], [6, 518], [19.4985, 537.4985], [100, 637.4985]])
  })

  test("a basis that earns 0 points credits nothing, writes no ledger entry and notifies nothing, and is no dead letter", async () => {
    const before = (await emitted("reward-notify")).length
    const outcome = await credit([rewardEvent("z1", ids.spend, "bob", { basis: "9.99" }), rewardEvent("z2", ids.spend, "bob", { basis: "0" })])
    expect(outcome).toMatchObject({ applied: 2, duplicates: 0, deadLettered: 0 })
    expect(await entries("bob")).toEqual([])
    expect(await balance("bob")).toBeUndefined()
    expect((await emitted("reward-notify")).length).toBe(before)
    expect((await emitted("reward.dlq")).map((l) => JSON.parse(l.value as string).eventId)).not.toContain("z1")
  })

  test("an event's own points win over the reward's rule: they are what the campaign counted against its budget", async () => {
    const outcome = await credit([
      rewardEvent("o1", ids.spend, "cy", { basis: "129.99", points: "40" }),
      rewardEvent("o2", ids.coffee, "cy", { points: "3.5" }),
      rewardEvent("o3", ids.spend, "cy", { points: "7" }),
      rewardEvent("o4", ids.coffee, "cy", { points: "0" })
    ])
    expect(outcome).toMatchObject({ applied: 4, deadLettered: 0 })
    expect(await entries("cy")).toEqual([{ event_id: "o1", amount: "40.0000" }, { event_id: "o2", amount: "3.5000" }, { event_id: "o3", amount: "7.0000" }])
    expect(await balance("cy")).toBe("50.5000")
  })

  test("events a rule cannot be counted on are dead-lettered with the reason; the rest of the batch is credited", async () => {
    const outcome = await credit([
      rewardEvent("d1", ids.spend, "dee"),
      rewardEvent("d2", ids.spend, "dee", { basis: "-20" }),
      rewardEvent("d3", ids.coffee, "dee", { points: "-1" }),
      { ...rewardEvent("d4", ids.coffee, "dee", { points: "5" }), tenant: "elsewhere" },
      rewardEvent("d5", ids.spend, "dee", { basis: "20" })
    ])
    expect(outcome).toMatchObject({ applied: 5, deadLettered: 0 })
    const letters = (await emitted("reward.dlq")).map((l) => [JSON.parse(l.value as string).eventId, l.error])
    expect(letters).toEqual([
      ["d1", `reward ${ids.spend} earns per amount spent, but the event carries no basis (the spend to count it on)`],
      ["d2", "basis must not be negative (-20)"],
      ["d3", "points must not be negative (-1)"],
      ["d4", `tenant elsewhere has no reward ${ids.coffee}`]
    ])
    expect(await entries("dee")).toEqual([{ event_id: "d5", amount: "2.0000" }])
  })

  test("a credit records its cause's event time (occurredAt, else the record's timestamp), its basis and its orders", async () => {
    await credit([
      rewardEvent("t1", ids.spend, "eve", { basis: "129.99", occurredAt: "2026-03-01T09:30:00+01:00", orderIds: ["order-1", "order-2"] }),
      rewardEvent("t2", ids.coffee, "eve")
    ])
    const rows = await query<Array<unknown>>(`
      select event_id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as occurred_at, basis::text, order_ids
      from reward.ledger where user_id = 'eve' order by id`)
    expect(rows).toEqual([
      { event_id: "t1", occurred_at: "2026-03-01T08:30:00Z", basis: "129.9900", order_ids: ["order-1", "order-2"] },
      { event_id: "t2", occurred_at: "2026-06-01T12:00:00Z", basis: null, order_ids: null }
    ])
    const ledger = await run(Effect.flatMap(Effect.service(RewardUseCases), (u) => u.ledger("shop", "eve", { limit: 10, before: undefined })))
    expect(ledger.entries.map((e) => [e.eventId, e.occurredAt, e.basis, e.orderIds])).toEqual([
      ["t2", "2026-06-01T12:00:00.000Z", null, null],
      ["t1", "2026-03-01T08:30:00.000Z", 129.99, ["order-1", "order-2"]]
    ])
  })

  test("replaying every event changes no balance and emits nothing", async () => {
    const balances = () => query<Array<unknown>>("select user_id, points::text from reward.balances order by user_id")
    const before = { balances: await balances(), emitted: (await emitted("reward-notify")).length, ledger: await query<Array<unknown>>("select count(*)::int as n from reward.ledger") }
    const outcome = await credit([
      rewardEvent("p1", ids.spend, "ada", { basis: "129.99" }),
      rewardEvent("p4", ids.exact, "ada", { basis: "129.99" }),
      rewardEvent("z1", ids.spend, "bob", { basis: "9.99" }),
      rewardEvent("o1", ids.spend, "cy", { basis: "129.99", points: "40" }),
      rewardEvent("t1", ids.spend, "eve", { basis: "129.99" })
    ])
    expect(outcome).toMatchObject({ applied: 0, duplicates: 5 })
    expect({ balances: await balances(), emitted: (await emitted("reward-notify")).length, ledger: await query<Array<unknown>>("select count(*)::int as n from reward.ledger") }).toEqual(before)
  })
})
