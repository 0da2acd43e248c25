import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { AnyElysia } from "elysia"
import { creditHandler } from "../../src/actors/reward/actor.ts"
import { RewardUseCases } from "../../src/actors/reward/service.ts"
import { rewardRoutes } from "../../src/http/reward.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { tenant } from "../support/values.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

const reward = "55555555-5555-4555-8555-555555555555"

describe("redemptions", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | TenantDirectory>>
  let app: AnyElysia

  /** Earns `count` × 10 points for `user` through the credit handler, as the actor would. */
  const earn = (user: string, count: number, offset: number) =>
    runtime.runPromise(processBatch("reward", creditHandler, rawMessages("reward",
      Array.from({ length: count }, (_, i) => ({ tenant: "shop", rewardId: reward, userId: user, eventId: `${user}-${offset + i}`, campaignId: reward })),
      { firstOffset: offset })))

  const redeem = (user: string, body: Record<string, unknown>) => request(app, "POST", `/user-rewards/${user}/redemptions`, { tenant: "shop", reason: "mug", ...body })
  const balance = async (user: string) => ((await (await request(app, "GET", `/user-rewards/${user}/?tenant=shop`)).json()) as { points: number }).points

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["shop"])
    app = await appOver(runtime, "reward", rewardRoutes)
    await runtime.runPromise(Effect.flatMap(Effect.service(RewardUseCases), (u) => u.createReward(allTenants, { tenant: tenant("shop"), reward_id: reward, reward_points: 10 })))
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a redemption debits and records a ledger entry; above the balance it is a 409 with the current balance", async () => {
    await earn("ann", 3, 0)
    const ok = await redeem("ann", { points: 12.5, idempotencyKey: "ann-1" })
    expect(ok.status).toBe(201)
    expect(await ok.json()).toMatchObject({ userId: "ann", points: 12.5, balance: 17.5, idempotencyKey: "ann-1" })
    const refused = await redeem("ann", { points: 20, idempotencyKey: "ann-2" })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ error: "InsufficientBalance", balance: 17.5, requested: 20 })
    expect(await balance("ann")).toBe(17.5)
    const ledger = (await (await request(app, "GET", "/user-rewards/ann/ledger?tenant=shop")).json()) as { balance: number; entries: Array<{ kind: string; amount: number }> }
    expect(ledger.balance).toBe(17.5)
    expect(ledger.entries.map((e) => [e.kind, e.amount])).toEqual([["redemption", -12.5], ["credit", 10], ["credit", 10], ["credit", 10]])
  })

  test("a user who never earned cannot redeem", async () => {
    const refused = await redeem("nobody", { points: 1, idempotencyKey: "nobody-1" })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ balance: 0 })
  })

  test("a repeated idempotency key is debited once and answers with the original redemption", async () => {
    await earn("ben", 2, 100)
    const first = await redeem("ben", { points: 5, idempotencyKey: "ben-once" })
    const again = await redeem("ben", { points: 5, idempotencyKey: "ben-once" })
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(await first.json())
    expect(await balance("ben")).toBe(15)
    const misuse = await redeem("ben", { points: 6, idempotencyKey: "ben-once" })
    expect(misuse.status).toBe(409)
    expect(await misuse.json()).toMatchObject({ error: "IdempotencyKeyReused" })
  })

  test("200 concurrent redemptions never take a balance below zero and debit exactly the accepted ones", async () => {
    await earn("cat", 10, 200) // 100 points
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => redeem("cat", { points: 0.75, idempotencyKey: `cat-${i}` })))
    const accepted = responses.filter((r) => r.status === 201).length
    const refused = responses.filter((r) => r.status === 409).length
    expect(accepted + refused).toBe(200)
    expect(accepted).toBe(133) // floor(100 / 0.75)
    expect(await balance("cat")).toBe(0.25)
    const ledger = (await (await request(app, "GET", "/user-rewards/cat/ledger?tenant=shop&limit=1000")).json()) as { entries: Array<{ kind: string }> }
    expect(ledger.entries.filter((e) => e.kind === "redemption")).toHaveLength(accepted)
  }, 60_000)

  test("the same idempotency key sent 20 times at once debits once", async () => {
    await earn("dan", 1, 400)
    const responses = await Promise.all(Array.from({ length: 20 }, () => redeem("dan", { points: 4, idempotencyKey: "dan-race" })))
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1)
    expect(responses.filter((r) => r.status === 200)).toHaveLength(19)
    expect(await balance("dan")).toBe(6)
  })

  test.each([
    [{ points: 0, idempotencyKey: "k" }, "points"],
    [{ points: 1 }, "idempotencyKey"],
    [{ points: 1, idempotencyKey: "k", reason: "" }, "reason"],
    [{ points: 1, idempotencyKey: "k", tenant: "" }, "tenant"]
  ])("bad redemption %p is a 422 naming %s", async (body, field) => {
    const response = await redeem("eve", body)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ field })
  })
})
