import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import type { Consumer } from "kafkajs"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { allLoyalteaGroups, api, eventually, groupsCaughtUp, kafkaClient, produce, rewindGroups } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../support/process.ts"

const tenant = "refund-shop"
const elsewhere = "refund-other"
const id = () => randomUUID()

interface Seen {
  readonly topic: string
  readonly value: Record<string, unknown>
}

/**
 * Refunds end to end: a real process, a standalone broker and PostgreSQL. Purchases and refunds go
 * to their topics; what the pipeline emits is read off `reward`, `reward-revoked` and `refund.dlq`.
 * Each scenario has a user of its own.
 */
describe("refunds reversed causally through the whole chain", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  let reader: Consumer
  const seen: Array<Seen> = []
  const ids = { perAmount: id(), fixed: id(), afterReview: id(), breadRule: id(), cakeRule: id(), reviewRule: id(), bread: "", twoStep: "" }
  const http = () => api(lt)
  const of = (topic: string, userId: string) => seen.filter((s) => s.topic === topic && s.value.userId === userId).map((s) => s.value)
  const fromLetters = (userId: string) =>
    seen.filter((s) => s.topic === "refund.dlq").filter((s) => JSON.parse(String(s.value.value)).userId === userId).map((s) => s.value)
  const until = (topic: string, userId: string, count: number) => eventually(async () => of(topic, userId), (list) => list.length >= count, 30_000)
  const buy = (userId: string, orderId: string, product: string, amount: number) =>
    ({ tenant, userId, product, amount, orderId, eventId: `${orderId}-line-1`, occurredAt: "2026-03-01T09:30:00Z" })
  const refund = (userId: string, orderId: string, eventId: string, amount?: number) =>
    ({ tenant, userId, orderId, eventId, occurredAt: "2026-03-04T15:00:00Z", ...(amount !== undefined && { amount }) })
  const rewardFor = (granted: ReadonlyArray<Record<string, unknown>>, rewardId: string) => granted.find((g) => g.rewardId === rewardId)!

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn" })
    await waitStarted(lt)
    const h = http()
    await h.create("user", "/tenants", { id: tenant, name: "Refund shop" })
    await h.create("user", "/tenants", { id: elsewhere, name: "Another shop" })
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.perAmount, name: "1 per 10.00", kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "down" })
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.fixed, reward_points: 10 })
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.afterReview, reward_points: 7 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.breadRule, name: "bread", product: "bread", amount: 100 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.cakeRule, name: "cake", product: "cake", amount: 20 })
    await h.create("fulfillment", "/tag-fulfillments/", { tenant, fulfillment_id: ids.reviewRule, name: "review", tag: "review" })
    ids.bread = ((await h.create("campaign", "/campaign", { tenant, name: "bread", fulfillments: [ids.breadRule], rewards: [ids.perAmount, ids.fixed] })) as { id: string }).id
    ids.twoStep = ((await h.create("campaign", "/campaign", { tenant, name: "cake and review", fulfillments: [ids.cakeRule, ids.reviewRule], rewards: [ids.afterReview] })) as { id: string }).id
    reader = kafkaClient(broker.address).consumer({ groupId: `refund-flow-${id()}`, maxWaitTimeInMs: 100 })
    await reader.connect()
    await reader.subscribe({ topics: ["reward", "reward-revoked", "refund.dlq"], fromBeginning: true })
    await reader.run({ eachMessage: async ({ topic, message }) => void seen.push({ topic, value: JSON.parse(String(message.value)) }) })
  }, 120_000)
  afterAll(async () => {
    await reader?.disconnect()
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("a one-fulfillment campaign fully refunded takes back every reward of the round, naming the credits", async () => {
    await produce(broker.address, "buy", [buy("ann", "ann-1", "bread", 150)])
    const granted = await until("reward", "ann", 2)
    expect(rewardFor(granted, ids.perAmount).points).toBe("15")
    await produce(broker.address, "refund", [refund("ann", "ann-1", "ann-r1")])
    const revoked = await until("reward-revoked", "ann", 2)
    expect(revoked.map((r) => [r.rewardId, r.rewardEventId, r.points]).sort()).toEqual(
      [[ids.perAmount, rewardFor(granted, ids.perAmount).eventId, undefined], [ids.fixed, rewardFor(granted, ids.fixed).eventId, undefined]].sort()
    )
    expect(revoked.every((r) => r.campaignId === ids.bread && r.orderId === "ann-1" && r.occurredAt === "2026-03-04T15:00:00.000Z")).toBe(true)
  }, 60_000)

  test("a partial refund that keeps the purchase above the threshold shrinks only the per_amount reward, by recomputation", async () => {
    await produce(broker.address, "buy", [buy("bob", "bob-1", "bread", 159.99)])
    const granted = await until("reward", "bob", 2)
    await produce(broker.address, "refund", [refund("bob", "bob-1", "bob-r1", 30)])
    const [revoked, ...more] = await until("reward-revoked", "bob", 1)
    expect(more).toEqual([])
    // 159.99 earned 15; what is left, 129.99, earns 12.
    expect(revoked).toMatchObject({ rewardId: ids.perAmount, rewardEventId: rewardFor(granted, ids.perAmount).eventId, points: "3" })
  }, 60_000)

  test("a partial refund that drops the purchase below the threshold takes the whole credit back", async () => {
    await produce(broker.address, "buy", [buy("cid", "cid-1", "bread", 120)])
    await until("reward", "cid", 2)
    await produce(broker.address, "refund", [refund("cid", "cid-1", "cid-r1", 30)])
    const revoked = await until("reward-revoked", "cid", 2)
    expect(revoked.map((r) => r.points)).toEqual([undefined, undefined])
  }, 60_000)

  test("several partial refunds of one order add up, and refunding more than was bought is a dead letter with the reason", async () => {
    await produce(broker.address, "buy", [buy("dee", "dee-1", "bread", 200)])
    await until("reward", "dee", 2)
    await produce(broker.address, "refund", [refund("dee", "dee-1", "dee-r1", 50), refund("dee", "dee-1", "dee-r2", 30)])
    const shrunk = await until("reward-revoked", "dee", 2)
    expect(shrunk.map((r) => r.points)).toEqual(["5", "3"])
    await produce(broker.address, "refund", [refund("dee", "dee-1", "dee-r3", 30), refund("dee", "dee-1", "dee-r4", 100)])
    const all = await until("reward-revoked", "dee", 4)
    // 90 left is under the threshold: what stands of the per_amount credit (12), and the fixed one whole.
    expect(all.slice(2).map((r) => [r.rewardId, r.points]).sort()).toEqual([[ids.fixed, undefined], [ids.perAmount, "12"]].sort())
    const letters = await eventually(async () => fromLetters("dee"), (list) => list.length >= 1, 30_000)
    expect(letters.map((l) => l.error)).toEqual(["refunds 100 of order dee-1, but only 90 of the 200 bought is left to refund (110 refunded already)"])
  }, 60_000)

  test("a refund of a purchase that completed half of a two-fulfillment campaign un-completes the round: the other fulfillment alone does not complete it", async () => {
    await produce(broker.address, "buy", [buy("eve", "eve-1", "cake", 30)])
    await produce(broker.address, "refund", [refund("eve", "eve-1", "eve-r1")])
    const progress = () => http().call("campaign", "GET", `/campaign/${ids.twoStep}/progress/eve?tenant=${tenant}`)
    // The refund may reach the campaign before or after the purchase's fulfillment: either way the round ends up without it.
    await Bun.sleep(1500)
    await eventually(progress, (p) => (p.body as { missing: Array<string> }).missing?.includes(ids.cakeRule), 30_000)
    await produce(broker.address, "activity", [{ tenant, userId: "eve", tag: "review", eventId: "eve-review-1", occurredAt: "2026-03-05T10:00:00Z" }])
    const afterReview = await eventually(progress, (p) => (p.body as { completed: Array<string> }).completed?.includes(ids.reviewRule), 30_000)
    expect(afterReview.body).toMatchObject({ completed: [ids.reviewRule], missing: [ids.cakeRule], completions: 0 })
    expect(of("reward", "eve")).toEqual([])
    // Met again by a new purchase: then it completes.
    await produce(broker.address, "buy", [buy("eve", "eve-2", "cake", 25)])
    expect((await until("reward", "eve", 1)).map((r) => r.rewardId)).toEqual([ids.afterReview])
  }, 60_000)

  test("a refund before its purchase is held, then applied: the purchase is credited on what is left, and nothing is lost", async () => {
    await produce(broker.address, "refund", [refund("fay", "fay-1", "fay-r1", 30)])
    const held = await eventually(() => http().call("fulfillment", "GET", `/held-refunds?tenant=${tenant}`),
      (r) => (r.body as { tenants: Array<{ held: number }> }).tenants[0]?.held === 1, 30_000)
    expect(held.body).toMatchObject({ tenants: [{ tenant, held: 1 }] })
    await produce(broker.address, "buy", [buy("fay", "fay-1", "bread", 150)])
    const granted = await until("reward", "fay", 2)
    expect(rewardFor(granted, ids.perAmount)).toMatchObject({ basis: "120", points: "12" })
    expect((await http().call("fulfillment", "GET", `/held-refunds?tenant=${tenant}`)).body).toEqual({ tenants: [] })
    // The rest of the order can still be refunded, and takes it all back.
    await produce(broker.address, "refund", [refund("fay", "fay-1", "fay-r2")])
    expect((await until("reward-revoked", "fay", 2)).map((r) => r.points)).toEqual([undefined, undefined])
  }, 60_000)

  test("replaying refunds changes nothing, and a refund naming this shop's order in another tenant touches nothing of it", async () => {
    await produce(broker.address, "buy", [buy("gus", "gus-1", "bread", 180)])
    await until("reward", "gus", 2)
    const refunds = [refund("gus", "gus-1", "gus-r1", 40), refund("gus", "gus-1", "gus-r2", 10)]
    await produce(broker.address, "refund", refunds)
    expect((await until("reward-revoked", "gus", 2)).map((r) => r.points)).toEqual(["4", "1"])
    await produce(broker.address, "refund", [...refunds, { ...refund("gus", "gus-1", "gus-x1"), tenant: elsewhere }])
    // A marker after them, on the same key: once its effect is seen, the replay has been handled.
    await produce(broker.address, "refund", [refund("gus", "gus-1", "gus-r3", 1)])
    await eventually(async () => of("reward-revoked", "gus"), (list) => list.length >= 3, 30_000)
    await Bun.sleep(500)
    // Only the marker's 1.00 (130 → 129 earns 12, not 13) took anything back after the replay.
    expect(of("reward-revoked", "gus").map((r) => r.points)).toEqual(["4", "1", "1"])
    const held = (await http().call("fulfillment", "GET", "/held-refunds")).body as { tenants: ReadonlyArray<unknown> }
    expect(held.tenants).toEqual([{ tenant: elsewhere, held: 1, oldest: expect.any(String) }])
  }, 60_000)

  test("replaying every topic from offset 0, refunds included, emits nothing new and changes no balance", async () => {
    const emitted = seen.length
    const balances = await http().balances(tenant)
    expect(await lt.stop()).toBe(0)
    await rewindGroups(broker.address)
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn" })
    await waitStarted(lt)
    expect(await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (done) => done, 90_000)).toBe(true)
    await Bun.sleep(1500)
    // Re-derived events keep their ids: whatever went out again is a copy of what was there.
    const ids = (from: number, to: number) => new Set(seen.slice(from, to).map((s) => `${s.topic}/${String(s.value.eventId ?? JSON.stringify(s.value))}`))
    const before = ids(0, emitted)
    expect([...ids(emitted, seen.length)].filter((key) => !before.has(key))).toEqual([])
    expect(await http().balances(tenant)).toEqual(balances)
  }, 180_000)
})
