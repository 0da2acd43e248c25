import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { api, eventually, produce, readTopic } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../support/process.ts"

const ids = {
  rewardA: "aaaaaaaa-1111-4111-8111-000000000001",
  rewardB: "bbbbbbbb-1111-4111-8111-000000000001",
  breadA: "aaaaaaaa-2222-4222-8222-000000000001",
  breadB: "bbbbbbbb-2222-4222-8222-000000000001"
}

describe("tenants reach every service through topic tenant; event ids are per tenant and HTTP retries are safe", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  let brokers: string
  const http = () => api(lt)
  const points = async (tenantId: string, user: string) => (await http().balances(tenantId))[user] ?? 0

  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({ DATABASE_URL: database.url })
    await waitStarted(lt)
    brokers = `127.0.0.1:${lt.ports.broker}`
    const h = http()
    // Each tenant's program is set up right after the tenant is made: the services learn it in time.
    for (const [tenant, reward, bread] of [["shop-a", ids.rewardA, ids.breadA], ["shop-b", ids.rewardB, ids.breadB]] as const) {
      await h.create("user", "/tenants", { id: tenant, name: tenant })
      await h.create("reward", "/rewards/", { tenant, reward_id: reward, reward_points: 10 })
      await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: bread, name: "bread", product: "bread", amount: 1 })
      await h.create("campaign", "/campaign", { tenant, name: "bread", fulfillments: [bread], rewards: [reward] })
    }
  }, 90_000)
  afterAll(async () => {
    await lt?.stop()
    await database?.drop()
  })

  test("two tenants' purchases with the same event id are both credited; each one's replay is not", async () => {
    const buy = (tenant: string) => ({ tenant, product: "bread", amount: 5, userId: "ann", eventId: "order-1001" })
    await produce(brokers, "buy", [buy("shop-a"), buy("shop-b"), buy("shop-a"), buy("shop-b")])
    expect(await eventually(async () => [await points("shop-a", "ann"), await points("shop-b", "ann")], ([a, b]) => a === 10 && b === 10)).toEqual([10, 10])
    await Bun.sleep(1000)
    expect([await points("shop-a", "ann"), await points("shop-b", "ann")]).toEqual([10, 10])
  }, 60_000)

  test("a request retried with the same Idempotency-Key is credited once; one without any id is refused until the tenant allows it", async () => {
    const purchase = { tenant: "shop-a", product: "bread", amount: 5, userId: "bob" }
    const h = http()
    const first = await h.call("fulfillment", "POST", "/events/buy", purchase)
    expect(first.status).toBe(422)
    expect(first.body).toMatchObject({ field: "eventId" })
    const keyed = async () => (await h.call("fulfillment", "POST", "/events/buy", purchase, { "idempotency-key": "checkout-bob-1" })).status
    expect([await keyed(), await keyed(), await keyed()]).toEqual([202, 202, 202])
    expect(await eventually(() => points("shop-a", "bob"), (p) => p === 10)).toBe(10)
    await Bun.sleep(1000)
    expect(await points("shop-a", "bob")).toBe(10)

    const changed = await h.call("user", "PUT", "/tenants/shop-a", { allowEventsWithoutId: true })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ allowEventsWithoutId: true, version: 2 })
    // The fulfillment service follows the tenant topic: soon events without ids are accepted, each its own.
    const accepted = await eventually(() => h.call("fulfillment", "POST", "/events/buy", purchase), (r) => r.status === 202, 15_000)
    expect(accepted.status).toBe(202)
    expect(await eventually(() => points("shop-a", "bob"), (p) => p === 20)).toBe(20)
  }, 60_000)

  test("a purchase for a tenant that does not exist is dead-lettered with the reason, never silently dropped", async () => {
    await produce(brokers, "buy", [{ tenant: "nosuchshop", product: "bread", amount: 5, userId: "eve", eventId: "ghost-1" }])
    const letters = await eventually(
      async () => (await readTopic(brokers, "buy.dlq", 1, 2000)).map((m) => JSON.parse(m.value)),
      (found) => found.some((letter) => letter.error === "unknown tenant nosuchshop"),
      20_000
    )
    const letter = letters.find((l) => l.error === "unknown tenant nosuchshop")
    expect(JSON.parse(letter.value)).toMatchObject({ tenant: "nosuchshop", userId: "eve", eventId: "ghost-1" })
    expect(await http().balances("nosuchshop")).toEqual({})
  }, 60_000)
})
