import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import type { Consumer } from "kafkajs"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { allLoyalteaGroups, api, eventually, groupsCaughtUp, kafkaClient, produce, rewindGroups } from "../support/flow.ts"
import { type Catalogue, createShop, purchase, refundOf, rewardViews, storedLots } from "../support/lifecycle.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../support/process.ts"

const day = 86_400_000
const programs = {
  "life-allow": {},
  "life-clamp": { negative_balance: "clamp" },
  "life-pend": { pending_days: 14 },
  "life-tier": { tiers: [{ name: "silver", min_points: 10, multiplier: 2 }] }
} as const
type Shop = keyof typeof programs
const bought = "2026-03-01T09:30:00Z"
const returned = "2026-03-04T15:00:00Z"

interface Notified {
  readonly tenant: string
  readonly userId: string
  readonly kind: string
  readonly points: number
  readonly balance: number
  readonly pending?: number
  readonly eventId: string
}

/**
 * The whole points lifecycle through Kafka: purchases on `buy`, refunds on `refund`, redemptions
 * over HTTP; what it comes to is read off the balances, the ledger and `reward-notify`. Each
 * scenario has a user of its own.
 */
describe("a refund travels from the refund topic to the balance", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  let reader: Consumer
  const shops = new Map<Shop, Catalogue>()
  const notified: Array<Notified> = []
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn", LOYALTEA_LIFECYCLE_JOB_MS: "300" })
  const http = () => api(lt)
  const { balance, ledger } = rewardViews(http)
  const shop = (tenant: Shop) => shops.get(tenant)!
  const buy = (tenant: Shop, userId: string, orderId: string, product: string, amount: number, at = bought) =>
    produce(broker.address, "buy", [purchase(tenant, userId, orderId, product, amount, at)])
  const refund = (tenant: Shop, userId: string, orderId: string, eventId: string, amount?: number, at = returned) =>
    produce(broker.address, "refund", [refundOf(tenant, userId, orderId, eventId, at, amount)])
  const settled = (tenant: Shop, userId: string, check: (b: Awaited<ReturnType<typeof balance>>) => boolean) =>
    eventually(() => balance(tenant, userId), check, 30_000)
  const movements = (tenant: Shop, userId: string) => notified.filter((n) => n.tenant === tenant && n.userId === userId)
  const movementsUntil = (tenant: Shop, userId: string, count: number) => eventually(async () => movements(tenant, userId), (list) => list.length >= count, 30_000)
  const redeem = (tenant: Shop, userId: string, points: number, key: string) =>
    http().call("reward", "POST", `/user-rewards/${userId}/redemptions`, { tenant, points, reason: "a mug", idempotencyKey: key })

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    for (const [tenant, program] of Object.entries(programs)) shops.set(tenant as Shop, await createShop(http(), tenant, program))
    reader = kafkaClient(broker.address).consumer({ groupId: `lifecycle-flow-${randomUUID()}`, maxWaitTimeInMs: 100 })
    await reader.connect()
    await reader.subscribe({ topics: ["reward-notify"], fromBeginning: true })
    await reader.run({ eachMessage: async ({ message }) => void notified.push(JSON.parse(String(message.value))) })
  }, 120_000)
  afterAll(async () => {
    await reader?.disconnect()
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("a one-fulfillment campaign fully refunded: the balance is back to 0 by one reversal naming the refund", async () => {
    await buy("life-allow", "ann", "ann-1", "tea", 4.5)
    await settled("life-allow", "ann", (b) => b.points === 10)
    await refund("life-allow", "ann", "ann-1", "ann-r1")
    expect(await settled("life-allow", "ann", (b) => b.points === 0)).toMatchObject({ points: 0, pending: 0, lifetime_earned: 0 })
    const entries = await ledger("life-allow", "ann")
    expect(entries.map((e) => [e.kind, e.amount])).toEqual([["reversal", -10], ["credit", 10]])
    const [reversal, credit] = entries
    expect(reversal).toMatchObject({ rewardId: shop("life-allow").teaPoints, orderId: "ann-1", lotId: credit!.lotId, actor: null })
    expect(reversal!.causeEventId).toBeString()
    expect((await movementsUntil("life-allow", "ann", 2)).map((n) => [n.kind, n.points, n.balance])).toEqual([["credited", 10, 10], ["reversed", -10, 0]])
  }, 60_000)

  test("a partial refund keeping the purchase above the threshold shrinks only the per_amount credit, by recomputation", async () => {
    await buy("life-allow", "bob", "bob-1", "bread", 159.99)
    await settled("life-allow", "bob", (b) => b.points === 25)
    await refund("life-allow", "bob", "bob-1", "bob-r1", 30)
    // 159.99 earned 15; what is left, 129.99, earns 12. The fixed 10 stands.
    expect(await settled("life-allow", "bob", (b) => b.points === 22)).toMatchObject({ points: 22, lifetime_earned: 22 })
    const reversals = (await ledger("life-allow", "bob")).filter((e) => e.kind === "reversal")
    expect(reversals.map((e) => [e.rewardId, e.amount])).toEqual([[shop("life-allow").perAmount, -3]])
    expect((await movementsUntil("life-allow", "bob", 3)).filter((n) => n.kind === "reversed").map((n) => [n.points, n.balance])).toEqual([[-3, 22]])
  }, 60_000)

  test("a partial refund dropping the purchase below the threshold reverses the whole round", async () => {
    await buy("life-allow", "cid", "cid-1", "bread", 120)
    await settled("life-allow", "cid", (b) => b.points === 22)
    await refund("life-allow", "cid", "cid-1", "cid-r1", 30)
    expect(await settled("life-allow", "cid", (b) => b.points === 0)).toMatchObject({ points: 0, lifetime_earned: 0 })
    const reversals = (await ledger("life-allow", "cid")).filter((e) => e.kind === "reversal")
    expect(reversals.map((e) => [e.rewardId, e.amount]).sort()).toEqual([[shop("life-allow").fixed, -10], [shop("life-allow").perAmount, -12]].sort())
  }, 60_000)

  test("half of a two-fulfillment campaign refunded credits nothing; the other half alone credits nothing; met again, it credits once", async () => {
    const { twoStep, cakeRule, reviewRule } = shop("life-allow")
    const progress = () => http().call("campaign", "GET", `/campaign/${twoStep}/progress/eve?tenant=life-allow`)
    await buy("life-allow", "eve", "eve-1", "cake", 30)
    await refund("life-allow", "eve", "eve-1", "eve-r1")
    // Wherever the refund caught the purchase (before or after its fulfillment), the round is left without it.
    await eventually(async () => (await http().call("fulfillment", "GET", "/held-refunds?tenant=life-allow")).body as { tenants: Array<unknown> }, (h) => h.tenants.length === 0)
    await eventually(progress, (p) => (p.body as { missing: Array<string> }).missing?.includes(cakeRule))
    await produce(broker.address, "activity", [{ tenant: "life-allow", userId: "eve", tag: "review", eventId: "eve-review-1", occurredAt: "2026-03-05T10:00:00Z" }])
    const afterReview = await eventually(progress, (p) => (p.body as { completed: Array<string> }).completed?.includes(reviewRule))
    expect(afterReview.body).toMatchObject({ completed: [reviewRule], missing: [cakeRule], completions: 0 })
    expect(await balance("life-allow", "eve")).toMatchObject({ points: 0 })
    await buy("life-allow", "eve", "eve-2", "cake", 25, "2026-03-06T10:00:00Z")
    expect(await settled("life-allow", "eve", (b) => b.points === 7)).toMatchObject({ points: 7 })
    expect((await ledger("life-allow", "eve")).map((e) => [e.kind, e.amount, e.rewardId])).toEqual([["credit", 7, shop("life-allow").afterReview]])
  }, 60_000)

  test("points already redeemed, then refunded: below zero under allow, 0 with the shortfall under clamp", async () => {
    for (const tenant of ["life-allow", "life-clamp"] as const) {
      await buy(tenant, "dan", "dan-1", "tea", 3)
      await settled(tenant, "dan", (b) => b.points === 10)
      expect((await redeem(tenant, "dan", 8, "dan-mug")).status).toBe(201)
      await refund(tenant, "dan", "dan-1", "dan-r1")
    }
    expect(await settled("life-allow", "dan", (b) => b.points === -8)).toMatchObject({ points: -8, lifetime_earned: 0 })
    expect(await settled("life-clamp", "dan", (b) => b.points === 0 && b.lifetime_earned === 0)).toMatchObject({ points: 0 })
    const allow = await ledger("life-allow", "dan")
    expect(allow.map((e) => [e.kind, e.amount, e.shortfall])).toEqual([["reversal", -10, 0], ["redemption", -8, 0], ["credit", 10, 0]])
    expect(allow[1]!.actor).toMatchObject({ kind: "operator" })
    const clamp = await ledger("life-clamp", "dan")
    expect(clamp.map((e) => [e.kind, e.amount, e.shortfall])).toEqual([["reversal", -2, 8], ["redemption", -8, 0], ["credit", 10, 0]])
    expect((await movementsUntil("life-clamp", "dan", 3)).map((n) => [n.kind, n.points, n.balance])).toEqual([["credited", 10, 10], ["redeemed", -8, 2], ["reversed", -2, 0]])
  }, 60_000)

  test("a refund inside the pending window takes pending points only: what is spendable stays", async () => {
    const spendable = await http().call("reward", "POST", "/user-rewards/gil/adjustments", { tenant: "life-pend", points: 5, reason: "welcome" }, { "idempotency-key": "gil-welcome" })
    expect(spendable.status).toBe(201)
    const recently = new Date(Date.now() - day).toISOString()
    await buy("life-pend", "gil", "gil-1", "tea", 2, recently)
    expect(await settled("life-pend", "gil", (b) => b.pending === 10)).toMatchObject({ points: 5, pending: 10 })
    await refund("life-pend", "gil", "gil-1", "gil-r1", undefined, new Date(Date.now() - day + 60_000).toISOString())
    expect(await settled("life-pend", "gil", (b) => b.pending === 0)).toMatchObject({ points: 5, pending: 0, lifetime_earned: 0 })
    const [reversal] = await ledger("life-pend", "gil")
    expect(reversal).toMatchObject({ kind: "reversal", amount: 0, pending: -10, shortfall: 0 })
    // The movement names the points taken back; the balance after it shows they were pending ones.
    expect((await movementsUntil("life-pend", "gil", 3)).map((n) => [n.kind, n.points, n.balance, n.pending])).toEqual(
      [["adjusted", 5, 5, 0], ["credited", 10, 5, 10], ["reversed", -10, 5, 0]])
  }, 60_000)

  test("a credit multiplied by a tier, then partly refunded: the reversal takes back at the credit's multiplier", async () => {
    await buy("life-tier", "hal", "hal-1", "tea", 3)
    expect(await settled("life-tier", "hal", (b) => b.tier === "silver")).toMatchObject({ points: 10, tier: "silver" })
    await buy("life-tier", "hal", "hal-2", "bread", 150, "2026-03-02T09:30:00Z")
    // 15 and 10 at silver's 2×.
    await settled("life-tier", "hal", (b) => b.points === 60)
    await refund("life-tier", "hal", "hal-2", "hal-r1", 30)
    // What is left, 120, earns 12 of the 15: 3 taken back, at 2×.
    expect(await settled("life-tier", "hal", (b) => b.points === 54)).toMatchObject({ points: 54, lifetime_earned: 54, tier: "silver" })
    const [reversal] = await ledger("life-tier", "hal")
    expect(reversal).toMatchObject({ kind: "reversal", amount: -6, rewardId: shop("life-tier").perAmount })
  }, 60_000)

  test("a refund before its purchase is held; the purchase then credits only what is left of it", async () => {
    await refund("life-allow", "fay", "fay-1", "fay-r1", 30)
    await eventually(async () => (await http().call("fulfillment", "GET", "/held-refunds?tenant=life-allow")).body as { tenants: Array<{ held: number }> },
      (h) => h.tenants[0]?.held === 1)
    expect(await balance("life-allow", "fay")).toMatchObject({ points: 0 })
    await buy("life-allow", "fay", "fay-1", "bread", 150)
    // 120 is left: 12 and the fixed 10, and nothing taken back.
    expect(await settled("life-allow", "fay", (b) => b.points === 22)).toMatchObject({ points: 22 })
    await Bun.sleep(500)
    expect((await ledger("life-allow", "fay")).map((e) => e.kind)).toEqual(["credit", "credit"])
    expect((await http().call("fulfillment", "GET", "/held-refunds?tenant=life-allow")).body).toEqual({ tenants: [] })
  }, 60_000)

  test("replaying every topic from offset 0 changes no balance, entry, lot or notification", async () => {
    const users = ["ann", "bob", "cid", "dan", "eve", "fay", "gil", "hal"]
    const snapshot = async () => ({
      views: await Promise.all(Object.keys(programs).flatMap((tenant) => users.map(async (user) => [tenant, user, await balance(tenant as Shop, user), await ledger(tenant as Shop, user)]))),
      lots: await storedLots(database.url)
    })
    const notifications = () => new Set(notified.map((n) => `${n.tenant} ${n.kind} ${n.eventId}`))
    const before = await snapshot()
    // Each user's notifications come in the order of their movements: the last one has the balance as it is.
    for (const [tenant, user, now] of before.views as Array<[Shop, string, { points: number; pending: number }]>) {
      const last = movements(tenant, user).at(-1)
      if (last) expect([tenant, user, last.balance, last.pending]).toEqual([tenant, user, now.points, now.pending])
    }
    const seenBefore = notifications()
    expect(await lt.stop()).toBe(0)
    await rewindGroups(broker.address)
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    expect(await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (done) => done, 90_000)).toBe(true)
    await Bun.sleep(1500)
    expect(await snapshot()).toEqual(before)
    // Delivery to Kafka is at least once (a consumer drops a re-sent event by its id): no new movement.
    expect([...notifications()].filter((n) => !seenBefore.has(n))).toEqual([])
  }, 180_000)
})
