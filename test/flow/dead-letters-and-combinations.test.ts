import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { api, eventually, kcatProduce, produce, readTopic } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"

const ids = {
  coffeeReward: "c0ffee00-0000-4000-8000-000000000001",
  cakeReward: "ca4e0000-0000-4000-8000-000000000002",
  buyCoffee: "b0000000-0000-4000-8000-00000000000a",
  review: "a0000000-0000-4000-8000-00000000000b",
  anyPurchase: "b0000000-0000-4000-8000-00000000000c"
}

describe("the loyalty flow through the broker", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  let brokers: string
  const http = () => api(lt)
  const points = async (user: string) => (await http().balances("tea"))[user] ?? 0

  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({ DATABASE_URL: database.url })
    await waitStarted(lt)
    brokers = `127.0.0.1:${lt.ports.broker}`
    const h = http()
    await h.create("user", "/tenants", { id: "tea", name: "Tea house" })
    await h.create("reward", "/rewards/", { tenant: "tea", reward_id: ids.coffeeReward, reward_points: 30 })
    await h.create("reward", "/rewards/", { tenant: "tea", reward_id: ids.cakeReward, reward_points: 5 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant: "tea", fulfillment_id: ids.buyCoffee, name: "coffee", product: "coffee", amount: 3 })
    await h.create("fulfillment", "/tag-fulfillments/", { tenant: "tea", fulfillment_id: ids.review, name: "a review", tag: "review" })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant: "tea", fulfillment_id: ids.anyPurchase, name: "anything", product: "", amount: 0 })
    // Needs a coffee purchase AND a review; the coffee purchase also counts for "any purchase".
    await h.create("campaign", "/campaign", { tenant: "tea", name: "review your coffee", fulfillments: [ids.buyCoffee, ids.review], rewards: [ids.coffeeReward] })
    await h.create("campaign", "/campaign", { tenant: "tea", name: "every visit", fulfillments: [ids.anyPurchase], rewards: [ids.cakeReward] })
  }, 90_000)
  afterAll(async () => {
    await lt?.stop()
    await database?.drop()
  })

  test("a campaign of a buy and a tag credits only after both; a purchase matching two fulfillments advances both campaigns", async () => {
    await produce(brokers, "buy", [{ tenant: "tea", product: "coffee", amount: 4, userId: "amy" }])
    expect(await eventually(() => points("amy"), (p) => p === 5)).toBe(5) // "every visit" only
    await Bun.sleep(500)
    expect(await points("amy")).toBe(5)
    await produce(brokers, "activity", [{ tenant: "tea", userId: "amy", tag: "review" }])
    expect(await eventually(() => points("amy"), (p) => p === 35)).toBe(35)
    const progress = (await http().call("campaign", "GET", `/campaign?tenant=tea`)).body as { campaigns: Array<{ id: string; name: string }> }
    const both = progress.campaigns.find((c) => c.name === "review your coffee")!
    const state = (await http().call("campaign", "GET", `/campaign/${both.id}/progress/amy`)).body as { completed: Array<string>; missing: Array<string> }
    expect(state.completed).toEqual([]) // completed, so it started over
    expect([...state.missing].sort()).toEqual([ids.buyCoffee, ids.review].sort())
  }, 60_000)

  test("malformed JSON and schema-invalid events go to buy.dlq with their reason; the valid events behind them are credited", async () => {
    await kcatProduce(brokers, "buy", [
      "{this is not json",
      JSON.stringify({ tenant: "tea", product: "coffee", amount: "lots", userId: "bob" }),
      JSON.stringify({ tenant: "tea", product: "coffee", amount: 4, userId: "bob" })
    ])
    expect(await eventually(() => points("bob"), (p) => p === 5)).toBe(5)
    // kcat spreads keyless messages over partitions, so the letters come back in any order.
    const letters = (await readTopic(brokers, "buy.dlq", 2)).map((m) => JSON.parse(m.value))
    expect(letters).toHaveLength(2)
    const malformed = letters.find((l) => l.value === "{this is not json")
    const invalid = letters.find((l) => l.value !== "{this is not json")
    expect(malformed).toMatchObject({ topic: "buy" })
    expect(malformed.error).toStartWith("malformed JSON")
    expect(invalid.error).toContain("amount")
    expect(JSON.parse(invalid.value)).toMatchObject({ amount: "lots", userId: "bob" })
  }, 60_000)

  test("events posted over HTTP are published and credited like produced ones", async () => {
    const response = await http().call("fulfillment", "POST", "/events/buy", [
      { tenant: "tea", product: "coffee", amount: 9, userId: "cid", orderId: "cid-1" },
      { tenant: "tea", product: "tea", amount: 1, userId: "cid", orderId: "cid-2" }
    ])
    expect(response.status).toBe(202)
    expect(response.body.eventIds).toHaveLength(2)
    expect(await eventually(() => points("cid"), (p) => p === 10)).toBe(10)
  }, 60_000)

  test("a credit is announced on reward-notify with the balance", async () => {
    // Partitions are read in any order; amy's first credit (cake, 5 points) says her balance became 5.
    const notes = (await readTopic(brokers, "reward-notify", 5)).map((m) => JSON.parse(m.value))
    const amys = notes.filter((note) => note.userId === "amy")
    expect(amys).toContainEqual(expect.objectContaining({ tenant: "tea", rewardId: ids.cakeReward, points: 5, balance: 5 }))
    expect(amys).toContainEqual(expect.objectContaining({ tenant: "tea", rewardId: ids.coffeeReward, points: 30, balance: 35 }))
  }, 60_000)
})
