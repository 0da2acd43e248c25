import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { creditHandler } from "../../src/actors/reward/actor.ts"
import { RewardUseCases } from "../../src/actors/reward/service.ts"
import { Database } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { tenant } from "../support/values.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { emittedSql } from "../support/emitted.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

const coffee = "11111111-1111-4111-8111-111111111111"
const cake = "22222222-2222-4222-8222-222222222222"
const campaign = "33333333-3333-4333-8333-333333333333"

const rewardEvent = (eventId: string, rewardId: string, userId = "ada", tenant = "meiwei") => ({ tenant, rewardId, userId, eventId, campaignId: campaign })

describe("crediting reward events", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | TenantDirectory>>
  const run = <A, E>(effect: Effect.Effect<A, E, RewardUseCases | Database | TenantDirectory>) => runtime.runPromise(effect)
  const query = <T>(text: string) => run(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql.unsafe(text) as unknown as Promise<T>)))
  const credit = (values: ReadonlyArray<unknown>, firstOffset = 0) => run(processBatch("reward", creditHandler, rawMessages("reward", values, { firstOffset })))
  const outbox = () => query<Array<{ topic: string; value: string }>>(`select topic, value from (${emittedSql("reward")}) e order by id::numeric`)

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["meiwei", "other"])
    await run(Effect.flatMap(Effect.service(RewardUseCases), (u) =>
      Effect.all([
        u.createReward(allTenants, { tenant: tenant("meiwei"), reward_id: coffee, reward_points: 100 }),
        u.createReward(allTenants, { tenant: tenant("meiwei"), reward_id: cake, reward_points: 0.25 }),
        u.createReward(allTenants, { tenant: tenant("other"), reward_id: "44444444-4444-4444-8444-444444444444", reward_points: 7 })
      ])))
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a batch credits every event in order, one ledger entry each, and notifies with the running balance", async () => {
    const outcome = await credit([rewardEvent("e1", coffee), rewardEvent("e2", cake), rewardEvent("e3", coffee, "bob"), rewardEvent("e4", cake)])
    expect(outcome).toMatchObject({ applied: 4, duplicates: 0, deadLettered: 0 })
    const balances = await query<Array<{ user_id: string; points: string }>>("select user_id, points::text from reward.balances order by user_id")
    expect(balances).toEqual([{ user_id: "ada", points: "100.5000" }, { user_id: "bob", points: "100.0000" }])
    const notes = (await outbox()).filter((row) => row.topic === "reward-notify").map((row) => JSON.parse(row.value))
    expect(notes.map((n) => [n.userId, n.points, n.balance])).toEqual([["ada", 100, 100], ["ada", 0.25, 100.25], ["bob", 100, 100], ["ada", 0.25, 100.5]])
    expect(new Set(notes.map((n) => n.eventId)).size).toBe(4)
  })

  test("replaying the same events changes nothing and emits nothing", async () => {
    const before = (await outbox()).length
    const outcome = await credit([rewardEvent("e1", coffee), rewardEvent("e2", cake)], 100)
    expect(outcome).toMatchObject({ applied: 0, duplicates: 2, deadLettered: 0 })
    expect((await outbox()).length).toBe(before)
    const { n } = (await query<Array<{ n: number }>>("select count(*)::int as n from reward.ledger"))[0]!
    expect(n).toBe(4)
  })

  test("the same event twice in one batch is credited once", async () => {
    const outcome = await credit([rewardEvent("dup", coffee, "cy"), rewardEvent("dup", coffee, "cy")], 200)
    expect(outcome.applied).toBe(1)
    const { points } = (await query<Array<{ points: string }>>("select points::text from reward.balances where user_id = 'cy'"))[0]!
    expect(points).toBe("100.0000")
  })

  test("a reward the tenant does not have is dead-lettered with that reason; the rest of the batch is credited", async () => {
    const foreign = "44444444-4444-4444-8444-444444444444"
    const outcome = await credit([rewardEvent("x1", foreign, "dee"), rewardEvent("x2", coffee, "dee")], 300)
    expect(outcome.applied).toBe(2)
    const letters = (await outbox()).filter((row) => row.topic === "reward.dlq").map((row) => JSON.parse(row.value))
    expect(letters).toHaveLength(1)
    expect(letters[0].error).toBe(`tenant meiwei has no reward ${foreign}`)
    expect(JSON.parse(letters[0].value).eventId).toBe("x1")
    const { points } = (await query<Array<{ points: string }>>("select points::text from reward.balances where user_id = 'dee'"))[0]!
    expect(points).toBe("100.0000")
  })

  test("malformed JSON and schema-invalid events are dead-lettered with their reason and bytes, valid ones behind them still credited", async () => {
    const before = (await outbox()).filter((row) => row.topic === "reward.dlq").length
    const outcome = await credit(["{oops", { tenant: "meiwei", rewardId: coffee, userId: "eve" }, Buffer.from([0xff, 0xfe]), rewardEvent("y1", coffee, "eve")], 400)
    expect(outcome).toMatchObject({ applied: 1, duplicates: 0, deadLettered: 3 })
    const letters = (await outbox()).filter((row) => row.topic === "reward.dlq").map((row) => JSON.parse(row.value)).slice(before)
    expect(letters.map((l) => l.offset)).toEqual(["400", "401", "402"])
    expect(letters[0].error).toStartWith("malformed JSON")
    expect(letters[0].value).toBe("{oops")
    expect(letters[1].error).toContain("eventId")
    expect(letters[2]).toMatchObject({ error: "the value is not UTF-8 text", valueEncoding: "base64", value: Buffer.from([0xff, 0xfe]).toString("base64") })
    // Redelivered, the invalid messages are not dead-lettered twice.
    await credit(["{oops"], 400)
    expect((await outbox()).filter((row) => row.topic === "reward.dlq").length).toBe(before + 3)
  })

  test("user ids with lone surrogates are dead-lettered naming userId, never merged into one balance", async () => {
    const before = (await outbox()).filter((row) => row.topic === "reward.dlq").length
    const outcome = await credit([rewardEvent("s1", coffee, "sur\ud800"), rewardEvent("s2", coffee, "sur\udbff"), rewardEvent("s3", coffee, "sur")], 500)
    expect(outcome).toMatchObject({ applied: 1, deadLettered: 2 })
    const letters = (await outbox()).filter((row) => row.topic === "reward.dlq").map((row) => JSON.parse(row.value)).slice(before)
    expect(letters.map((l) => l.error)).toEqual(Array(2).fill("invalid event: userId: must be well-formed Unicode (no lone surrogates)"))
    expect(letters.map((l) => JSON.parse(l.value).userId)).toEqual(["sur\ud800", "sur\udbff"])
    const balances = await query<Array<{ user_id: string; points: string }>>("select user_id, points::text from reward.balances where user_id like 'sur%' order by user_id")
    expect(balances).toEqual([{ user_id: "sur", points: "100.0000" }])
  })

  test("every balance equals the sum of its ledger", async () => {
    const rows = await query<Array<{ drift: string }>>(`
      select b.points - coalesce(sum(l.amount), 0) as drift from reward.balances b
      left join reward.ledger l using (tenant, user_id) group by b.tenant, b.user_id, b.points`)
    expect(rows.every((row) => Number(row.drift) === 0)).toBe(true)
  })
})
