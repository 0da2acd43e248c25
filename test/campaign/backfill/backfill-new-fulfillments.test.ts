import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { startBrokerProcess, type BrokerProcess } from "../../support/broker-process.ts"
import { derivedEventId } from "../../../src/events/event-id.ts"
import { allLoyalteaGroups, api, eventually, groupsCaughtUp, kafkaClient, produce } from "../../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../../support/process.ts"

const tenant = "derive-shop"
const other = "derive-other"
const users = Array.from({ length: 100 }, (_, i) => `m-${String(i).padStart(3, "0")}`)
const perUser = 100
const start = Date.parse("2026-01-05T08:00:00Z")
const productOf = (i: number) => (["bread", "coffee", "tea"] as const)[i % 3]!

interface Job { id: string; status: string; phase: string; percent: number; eventsRead: number; derivedRead: number; membersCompleted: number; rewardsGranted: number; pointsGranted: number }

/**
 * 10,000 purchases (a third each bread, coffee and tea) and 300 reviews go through the chain
 * while only a bread fulfillment exists; some are refunded. Then fulfillments for coffee, tea
 * (5 of them, cumulative) and reviews are created with a campaign each, a coffee is bought
 * live, and the three campaigns are backfilled. The fulfillment service judges the records
 * those fulfillments never saw, and each job credits exactly what its campaign would have
 * granted: on what the refunds left, once, across a SIGKILL mid-derivation, never the live
 * purchase twice, never another tenant's events. A refund after the job takes back what it
 * credited, as any refund does.
 */
describe("a backfill of campaigns whose fulfillments were created after the purchases", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  const ids = { bread: randomUUID(), coffee: randomUUID(), tea: randomUUID(), review: randomUUID(), live: "", coffees: "", teas: "", reviews: "" }
  const rewards = { one: randomUUID(), ten: randomUUID(), thousand: randomUUID(), lakh: randomUUID() }
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn" })
  const http = () => api(lt)
  const job = async (campaign: string) => (await http().call("campaign", "GET", `/campaign/${campaign}/backfill`)).body as Job
  const completions = async (campaign: string, user: string) =>
    ((await http().call("campaign", "GET", `/campaign/${campaign}/progress/${user}`)).body as { completions: number }).completions
  const caughtUp = () => eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (ok) => ok, 120_000)

  // Per user: 34 breads (1 point each, live), 32 coffees the refunds left (10 each) and the live
  // one, 6 rounds of 5 of the 32 teas left (100,000 each), 3 reviews (1,000 each).
  const expected = 34 + 33 * 10 + 6 * 100_000 + 3 * 1000

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    const h = http()
    for (const shop of [tenant, other]) await h.create("user", "/tenants", { id: shop, name: shop })
    await h.create("reward", "/rewards/", { tenant, reward_id: rewards.one, reward_points: 1 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.bread, name: "bread", product: "bread", amount: 0 })
    ids.live = ((await h.create("campaign", "/campaign", { tenant, name: "a point a loaf", fulfillments: [ids.bread], rewards: [rewards.one] })) as { id: string }).id
    // The other shop has the same users and event ids, and nothing to judge them with but its own rules.
    const events = (shop: string) => users.flatMap((userId, u) =>
      Array.from({ length: perUser }, (_, i) => ({
        tenant: shop, product: productOf(i), amount: 4, userId, orderId: `${userId}-o${i}`, eventId: `${userId}-p${i}`,
        occurredAt: new Date(start + (u * perUser + i) * 60_000).toISOString()
      })))
    await produce(broker.address, "buy", [...events(tenant), ...events(other)])
    await produce(broker.address, "activity", [tenant, other].flatMap((shop) =>
      users.flatMap((userId, u) => [0, 1, 2].map((i) => ({ tenant: shop, userId, tag: "review", eventId: `${userId}-r${i}`, occurredAt: new Date(start + u * 60_000 + i).toISOString() })))))
    // Each user's first coffee is refunded in full, the first tea down to 2 (under the tea rule's 3).
    await produce(broker.address, "refund", users.flatMap((userId) => [
      { tenant, userId, orderId: `${userId}-o1`, eventId: `${userId}-refund-o1` },
      { tenant, userId, orderId: `${userId}-o2`, amount: 2, eventId: `${userId}-refund-o2` }
    ]))
    const breads = async () => Object.values(await http().balances(tenant)).reduce((a, b) => a + b, 0)
    expect(await eventually(breads, (points) => points >= users.length * 34, 240_000)).toBe(users.length * 34)
    await caughtUp()
  }, 400_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("each campaign is credited what it would have granted, once, across a crash", async () => {
    const h = http()
    await h.create("reward", "/rewards/", { tenant, reward_id: rewards.ten, reward_points: 10 })
    await h.create("reward", "/rewards/", { tenant, reward_id: rewards.thousand, reward_points: 1000 })
    await h.create("reward", "/rewards/", { tenant, reward_id: rewards.lakh, reward_points: 100_000 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.coffee, name: "coffee", product: "coffee", amount: 3 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.tea, name: "five teas", product: "tea", amount: 3, count: 5 })
    await h.create("fulfillment", "/tag-fulfillments/", { tenant, fulfillment_id: ids.review, name: "a review", tag: "review" })
    ids.coffees = ((await h.create("campaign", "/campaign", { tenant, name: "coffee", fulfillments: [ids.coffee], rewards: [rewards.ten] })) as { id: string }).id
    ids.teas = ((await h.create("campaign", "/campaign", { tenant, name: "teas", fulfillments: [ids.tea], rewards: [rewards.lakh] })) as { id: string }).id
    ids.reviews = ((await h.create("campaign", "/campaign", { tenant, name: "reviews", fulfillments: [ids.review], rewards: [rewards.thousand] })) as { id: string }).id

    // A coffee bought now is judged live (and credited by the live campaign), so no backfill may count it again.
    await produce(broker.address, "buy", users.map((userId) => ({ tenant, product: "coffee", amount: 5, userId, eventId: `${userId}-live`, occurredAt: new Date(start).toISOString() })))
    const coffee = async () => Promise.all(users.map((u) => completions(ids.coffees, u)))
    expect(await eventually(coffee, (all) => all.every((n) => n === 1), 120_000)).toEqual(users.map(() => 1))
    await caughtUp()

    const jobs: Array<string> = []
    for (const campaign of [ids.coffees, ids.teas, ids.reviews]) {
      const started = await h.call("campaign", "POST", `/campaign/${campaign}/backfill`, { from: "2026-01-01T00:00:00Z" })
      expect(started.status).toBe(201)
      jobs.push((started.body as Job).id)
    }
    // A derived completion delivered again (an outbox row published twice after a crash), twice in one
    // batch and once more by the derivation itself, counts once.
    const user = users[0]!
    const again = {
      kind: "completion", jobId: jobs[0], tenant,
      completion: { tenant, fulfillmentId: ids.coffee, userId: user, eventId: derivedEventId("fulfillment", `${user}-p4`, ids.coffee), causeEventId: `${user}-p4`,
        occurredAt: new Date(start + 4 * 60_000).toISOString(), basis: "4", orderIds: [`${user}-o4`] }
    }
    const producer = kafkaClient(broker.address).producer()
    await producer.connect()
    await producer.send({ topic: "backfill-fulfillment", acks: -1, messages: [0, 1].map(() => ({ key: jobs[0]!, value: JSON.stringify(again) })) })
    await producer.disconnect()
    // Killed while a derivation is being credited, then started again: every job resumes from its stored offsets.
    await eventually(() => job(ids.coffees), (j) => j.derivedRead > 0 || j.status === "done", 240_000)
    await lt.stop("SIGKILL")
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    const done = await Promise.all([ids.coffees, ids.teas, ids.reviews].map((c) => eventually(() => job(c), (j) => j.status === "done", 300_000)))
    expect(done.map((j) => j.phase)).toEqual(["done", "done", "done"])
    // Only this tenant's records, and only what the live path never judged: 32 coffees, 32 teas, 3 reviews per user.
    expect(done.map((j) => j.derivedRead)).toEqual([users.length * 32, users.length * 6, users.length * 3])
    expect(done.map((j) => j.rewardsGranted)).toEqual([users.length * 32, users.length * 6, users.length * 3])
    expect(done.map((j) => j.pointsGranted)).toEqual([users.length * 320, users.length * 600_000, users.length * 3000])

    const total = async () => Object.values(await http().balances(tenant)).reduce((a, b) => a + b, 0)
    expect(await eventually(total, (points) => points >= users.length * expected, 120_000)).toBe(users.length * expected)
    await Bun.sleep(2000)
    const balances = await http().balances(tenant)
    for (const user of users) expect(balances[user]).toBe(expected)
    expect(Object.values(await http().balances(other)).every((points) => points === 0)).toBe(true)
    for (const user of users.slice(0, 3)) {
      expect(await completions(ids.live, user)).toBe(34)
      expect(await completions(ids.coffees, user)).toBe(33)
      expect(await completions(ids.teas, user)).toBe(6)
      expect(await completions(ids.reviews, user)).toBe(3)
    }
  }, 900_000)

  test("a refund after the job takes back what it credited; a second job credits nothing again", async () => {
    const h = http()
    const user = users[0]!
    await produce(broker.address, "refund", [{ tenant, userId: user, orderId: `${user}-o4`, eventId: `${user}-refund-o4` }])
    expect(await eventually(async () => (await http().balances(tenant))[user], (points) => points === expected - 10, 60_000)).toBe(expected - 10)
    expect(await completions(ids.coffees, user)).toBe(32)

    const second = await h.call("campaign", "POST", `/campaign/${ids.coffees}/backfill`, { from: "2026-01-01T00:00:00Z" })
    expect(second.status).toBe(201)
    const done = await eventually(() => job(ids.coffees), (j) => j.status === "done" && j.id === (second.body as Job).id, 240_000)
    expect(done).toMatchObject({ rewardsGranted: 0, pointsGranted: 0 })
    await Bun.sleep(1000)
    expect((await http().balances(tenant))[user]).toBe(expected - 10)
  }, 400_000)
})
