import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"
import { api, eventually, kcatProduce, produce } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

// The original README, verbatim: one reward, one buy fulfillment, one campaign; purchases on `buy`.
const rewardId = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
const fulfillmentId = "7bed8bf6-995b-450d-8417-1c368709e1e3"
const userId = "0e41cc11-5e54-448b-a6ce-9c9a855ad202"
const purchase = (amount: number, user = userId) => `{"tenant": "meiwei", "product": "bread", "amount": ${amount}, "userId": "${user}"}`

describe("the original README scenario, end to end through the broker", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  let brokers: string
  const http = () => api(lt)
  const pointsOf = async (user: string) => (await http().balances("meiwei"))[user] ?? 0

  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({ DATABASE_URL: database.url })
    await waitStarted(lt)
    brokers = `127.0.0.1:${lt.ports.broker}`
    await http().create("user", "/tenants", { id: "meiwei", name: "Meiwei Bakery" })
    await http().create("reward", "/rewards/", { tenant: "meiwei", reward_id: rewardId, reward_points: 100.0 })
    await http().create("fulfillment", "/buy-fulfillments/", { tenant: "meiwei", fulfillment_id: fulfillmentId, name: "bread", product: "bread", amount: 100 })
    await http().create("campaign", "/campaign", { tenant: "meiwei", name: "bread lovers", fulfillments: [fulfillmentId], rewards: [rewardId] })
  }, 90_000)
  afterAll(async () => {
    await lt?.stop()
    await database?.drop()
  })

  test("a purchase produced with kcat credits 100 points", async () => {
    await kcatProduce(brokers, "buy", [purchase(101)])
    expect(await eventually(() => pointsOf(userId), (p) => p === 100)).toBe(100)
    const list = (await http().call("reward", "GET", "/user-rewards/")).body as Array<{ tenant: string; user_id: string; points: number }>
    expect(list).toContainEqual({ tenant: "meiwei", user_id: userId, points: 100 })
  }, 60_000)

  test("an amount of 99 credits nothing; a second qualifying purchase (kafkajs) credits another 100", async () => {
    // Same key, same partition, handled in order: once 200 shows, the 99 before it was seen and ignored.
    await produce(brokers, "buy", [JSON.parse(purchase(99)), JSON.parse(purchase(150))])
    expect(await eventually(() => pointsOf(userId), (p) => p >= 200)).toBe(200)
    await Bun.sleep(500)
    expect(await pointsOf(userId)).toBe(200)
    const ledger = (await http().call("reward", "GET", `/user-rewards/${userId}/ledger?tenant=meiwei`)).body as { entries: Array<{ kind: string; campaignId: string }> }
    expect(ledger.entries).toHaveLength(2)
    expect(ledger.entries.every((e) => e.kind === "credit")).toBe(true)
  }, 60_000)
})
