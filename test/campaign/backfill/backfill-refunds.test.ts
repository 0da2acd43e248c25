import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { startBrokerProcess, type BrokerProcess } from "../../support/broker-process.ts"
import { allLoyalteaGroups, api, eventually, groupsCaughtUp, produce } from "../../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../../support/process.ts"

const tenant = "bf-refund-shop"
const other = "bf-refund-other"
const members = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, "0")}`)
const fillers = Array.from({ length: 200 }, (_, i) => `f${String(i).padStart(3, "0")}`)
const day = Date.parse("2026-02-01T08:00:00Z")

interface Job {
  id: string
  status: string
  phase: string
  percent: number
  refundsRead: number
  eventsRead: number
  rewardsGranted: number
  pointsGranted: number
  refundPartitions: Array<{ start: string; end: string; current: string }>
}

const buy = (shop: string, userId: string, order: string, n: number) =>
  ({ tenant: shop, userId, product: "bread", amount: 150, orderId: `${userId}-${order}`, eventId: `${userId}-${order}-line`, occurredAt: new Date(day + n * 60_000).toISOString() })
const refund = (shop: string, userId: string, order: string, amount?: number) =>
  ({ tenant: shop, userId, orderId: `${userId}-${order}`, eventId: `${userId}-${order}-refund`, occurredAt: new Date(day + 86_400_000).toISOString(), ...(amount !== undefined && { amount }) })

/**
 * Refunds inside a backfill's range are judged as the live path judges them: a purchase a refund
 * took back earns nothing, one partly refunded earns on what is left, whether the refund was in
 * the log before the job started or arrives while it runs. Each purchase is 150 of bread: 15
 * points (1 per 10.00) and 10 fixed points.
 */
describe("a backfill over refunded purchases", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  const ids = { perAmount: randomUUID(), fixed: randomUUID(), bread: randomUUID(), late: "", first: "" }
  const http = () => api(lt)
  const latest = async () => (await http().call("campaign", "GET", `/campaign/${ids.late}/backfill`)).body as Job

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn" })
    await waitStarted(lt)
    const h = http()
    for (const shop of [tenant, other]) {
      await h.create("user", "/tenants", { id: shop, name: shop })
      await h.create("fulfillment", "/buy-fulfillments/", { tenant: shop, fulfillment_id: shop === tenant ? ids.bread : randomUUID(), name: "bread", product: "bread", amount: 100 })
    }
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.perAmount, name: "1 per 10.00", kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "down" })
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.fixed, reward_points: 10 })
    // Many purchases first, so the job is still reading when the refunds made during it arrive.
    await produce(broker.address, "buy", fillers.flatMap((userId, u) => Array.from({ length: 10 }, (_, i) => buy(tenant, userId, `o${i}`, u * 10 + i))))
    await produce(broker.address, "buy", members.flatMap((userId, u) => [0, 1, 2].map((i) => buy(tenant, userId, `o${i}`, 5000 + u * 3 + i))))
    // The other shop has the same users, orders and event ids, all refunded: none of it is this shop's.
    await produce(broker.address, "buy", members.map((userId, u) => buy(other, userId, "o1", u)))
    await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (ok) => ok, 120_000)
    await produce(broker.address, "refund", [
      ...members.slice(0, 5).map((u) => refund(tenant, u, "o0")),
      ...members.slice(5, 10).map((u) => refund(tenant, u, "o0", 30)),
      ...members.slice(10, 12).map((u) => refund(tenant, u, "o0", 60)),
      ...members.map((u) => refund(other, u, "o1"))
    ])
    await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (ok) => ok, 60_000)
  }, 300_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("a refunded purchase earns nothing, a partly refunded one earns on what is left, before the job or during it", async () => {
    const h = http()
    ids.late = ((await h.create("campaign", "/campaign", { tenant, name: "bread, late", fulfillments: [ids.bread], rewards: [ids.perAmount, ids.fixed] })) as { id: string }).id
    const started = await h.call("campaign", "POST", `/campaign/${ids.late}/backfill`, { from: "2026-01-01T00:00:00Z" })
    expect(started.status).toBe(201)
    ids.first = (started.body as Job).id
    expect((started.body as Job).phase).toBe("refunds")
    // Refunds of purchases near the end of the log, sent while the job reads the purchases (or
    // already did): the live consumer keeps them for it, or takes back what it credited.
    await eventually(latest, (j) => j.phase !== "refunds", 60_000)
    await produce(broker.address, "refund", members.slice(12, 15).map((u) => refund(tenant, u, "o2")))
    const done = await eventually(latest, (j) => j.status === "done", 180_000)
    // Every event of the range is read, the other shop's 20 included.
    expect(done).toMatchObject({ id: ids.first, phase: "done", percent: 100, eventsRead: fillers.length * 10 + members.length * 4 })
    // Those of this shop read in the range: the 12 before the job, and those made during it that were in the log when its refunds phase began.
    expect(done.refundsRead).toBeGreaterThanOrEqual(12)
    expect(done.refundsRead).toBeLessThanOrEqual(15)
    expect(done.refundPartitions.every((p) => p.current === p.end)).toBe(true)

    const expected: Record<string, number> = Object.fromEntries(fillers.map((u) => [u, 10 * 25]))
    for (const [i, u] of members.entries()) {
      // A full refund, or one that leaves 90 (under the fulfillment's 100): that purchase earns nothing.
      expected[u] = i < 5 || (i >= 10 && i < 15) ? 50 : i < 10 ? 25 + 25 + 22 : 75
    }
    const total = Object.values(expected).reduce((a, b) => a + b, 0)
    const sum = async () => Object.values(await http().balances(tenant)).reduce((a, b) => a + b, 0)
    await eventually(async () => [await sum(), await groupsCaughtUp(broker.address, allLoyalteaGroups)] as const, ([points, idle]) => points === total && idle, 120_000)
    await Bun.sleep(1500)
    expect(await http().balances(tenant)).toEqual(expected)
    // The other shop earned nothing here (it has no campaign) and its refunds took nothing from this one.
    expect(await http().balances(other)).toEqual({})
  }, 400_000)

  test("a second job over the same range grants nothing twice; the jobs are listed newest first", async () => {
    const h = http()
    const before = await http().balances(tenant)
    const again = await h.call("campaign", "POST", `/campaign/${ids.late}/backfill`, { from: "2026-01-01T00:00:00Z" })
    expect(again.status).toBe(201)
    const second = (again.body as Job).id
    expect(second).not.toBe(ids.first)
    const done = await eventually(latest, (j) => j.id === second && j.status === "done", 180_000)
    expect(done).toMatchObject({ rewardsGranted: 0, pointsGranted: 0, eventsRead: fillers.length * 10 + members.length * 4 })
    await Bun.sleep(1500)
    expect(await http().balances(tenant)).toEqual(before)

    const page1 = await h.call("campaign", "GET", `/campaign/${ids.late}/backfills?limit=1`)
    expect(page1.status).toBe(200)
    const first = page1.body as { items: Array<Job>; nextCursor: string | null }
    expect(first.items.map((j) => j.id)).toEqual([second])
    const page2 = (await h.call("campaign", "GET", `/campaign/${ids.late}/backfills?limit=1&cursor=${first.nextCursor}`)).body as { items: Array<Job>; nextCursor: string | null }
    expect(page2.items.map((j) => j.id)).toEqual([ids.first])
    expect(page2.nextCursor).toBeNull()
    const one = await h.call("campaign", "GET", `/campaign/${ids.late}/backfills/${ids.first}`)
    expect(one.status).toBe(200)
    expect((one.body as Job).pointsGranted).toBeGreaterThan(0)
    expect((await h.call("campaign", "GET", `/campaign/${ids.late}/backfills/${randomUUID()}`)).status).toBe(404)
    const forged = await h.call("campaign", "GET", `/campaign/${ids.late}/backfills?cursor=not-a-cursor`)
    expect(forged.status).toBe(422)
    expect((forged.body as { field: string }).field).toBe("cursor")
  }, 300_000)

  test("another shop's operator sees no job of this shop's campaign", async () => {
    const h = http()
    await h.call("user", "POST", "/operators", { username: "bfr-other", password: "a long passphrase", role: "tenant-admin", tenant: other })
    const login = await h.call("user", "POST", "/auth/login", { username: "bfr-other", password: "a long passphrase" })
    const theirs = api(lt, { authorization: `Bearer ${(login.body as { accessToken: string }).accessToken}` })
    for (const path of [`/campaign/${ids.late}/backfills`, `/campaign/${ids.late}/backfills/${ids.first}`, `/campaign/${ids.late}/backfill`]) {
      expect((await theirs.call("campaign", "GET", path)).status).toBe(404)
    }
    expect((await theirs.call("campaign", "POST", `/campaign/${ids.late}/backfill`, { from: "2026-01-01T00:00:00Z" })).status).toBe(404)
  }, 60_000)
})
