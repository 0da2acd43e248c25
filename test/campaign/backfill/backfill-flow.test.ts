import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { startBrokerProcess, type BrokerProcess } from "../../support/broker-process.ts"
import { allLoyalteaGroups, api, eventually, groupsCaughtUp, produce } from "../../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../../support/process.ts"

const tenant = "backfill-shop"
const users = Array.from({ length: 100 }, (_, i) => `member-${String(i).padStart(3, "0")}`)
const perUser = 100
const start = Date.parse("2026-01-05T08:00:00Z")

interface Job { id: string; status: string; percent: number; eventsRead: number; membersCompleted: number; rewardsGranted: number; pointsGranted: number; partitions: Array<{ current: string; end: string }> }

/**
 * 10,000 purchases go through the whole chain while one campaign runs; then a second campaign is
 * created and backfilled over them. It credits exactly what it would have granted (its per-user
 * limit included), once, even across a SIGKILL mid-job, and the first campaign is left as it was.
 */
describe("a campaign backfilled over 10,000 past purchases", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  const ids = { bread: randomUUID(), one: randomUUID(), ten: randomUUID(), live: "", late: "", foreign: "" }
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn" })
  const http = () => api(lt)
  const job = async (campaign: string) => (await http().call("campaign", "GET", `/campaign/${campaign}/backfill`)).body as Job
  const total = async () => Object.values(await http().balances(tenant)).reduce((a, b) => a + b, 0)

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    const h = http()
    await h.create("user", "/tenants", { id: tenant, name: "Backfill shop" })
    await h.create("user", "/tenants", { id: "elsewhere-shop", name: "Elsewhere" })
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.one, reward_points: 1 })
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.ten, reward_points: 10 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.bread, name: "bread", product: "bread", amount: 0 })
    ids.live = ((await h.create("campaign", "/campaign", { tenant, name: "a point a loaf", fulfillments: [ids.bread], rewards: [ids.one] })) as { id: string }).id
    ids.foreign = ((await h.create("campaign", "/campaign", {
      tenant: "elsewhere-shop", name: "elsewhere", fulfillments: [randomUUID()], rewards: [randomUUID()]
    })) as { id: string }).id
    const purchases = users.flatMap((userId, u) =>
      Array.from({ length: perUser }, (_, i) => ({
        tenant, product: "bread", amount: 2.5, userId, eventId: `bf-${userId}-${i}`, occurredAt: new Date(start + (u * perUser + i) * 60_000).toISOString()
      })))
    await produce(broker.address, "buy", purchases)
    expect(await eventually(total, (points) => points >= users.length * perUser, 240_000)).toBe(users.length * perUser)
    await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (ok) => ok, 60_000)
  }, 400_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("it credits only what the new campaign grants, within its limit, exactly once across a crash", async () => {
    const h = http()
    ids.late = ((await h.create("campaign", "/campaign", {
      tenant, name: "ten points a loaf, 30 times", fulfillments: [ids.bread], rewards: [ids.ten], limits: { perUser: 30 }
    })) as { id: string }).id
    const first = await h.call("campaign", "POST", `/campaign/${ids.late}/backfill`, { from: "2026-01-01T00:00:00Z" })
    expect(first.status).toBe(201)
    // A second request answers the same job and starts nothing.
    const again = await h.call("campaign", "POST", `/campaign/${ids.late}/backfill`, { from: "2025-01-01T00:00:00Z" })
    expect(again.status).toBe(200)
    expect((again.body as Job).id).toBe((first.body as Job).id)
    expect((first.body as Job).partitions.reduce((n, p) => n + Number(p.end), 0)).toBe(users.length * perUser)

    // Killed once the job has read something, then started again: it resumes from its stored offsets.
    await eventually(() => job(ids.late), (j) => j.eventsRead > 0, 120_000)
    await lt.stop("SIGKILL")
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    const done = await eventually(() => job(ids.late), (j) => j.status === "done", 240_000)
    expect(done).toMatchObject({ status: "done", percent: 100, eventsRead: users.length * perUser, membersCompleted: users.length * 30, rewardsGranted: users.length * 30, pointsGranted: users.length * 300 })
    expect(done.partitions.every((p) => p.current === p.end)).toBe(true)

    // 100 from the first campaign and 30 × 10 from the backfill, for every member; nothing more arrives later.
    const expected = users.length * (perUser + 300)
    expect(await eventually(total, (points) => points >= expected, 120_000)).toBe(expected)
    await Bun.sleep(2000)
    const balances = await http().balances(tenant)
    for (const user of users) expect(balances[user]).toBe(perUser + 300)

    // The first campaign's progress is as it was: 100 rounds each.
    for (const user of users.slice(0, 5)) {
      const live = await http().call("campaign", "GET", `/campaign/${ids.live}/progress/${user}`)
      expect((live.body as { completions: number }).completions).toBe(perUser)
      const late = await http().call("campaign", "GET", `/campaign/${ids.late}/progress/${user}`)
      expect((late.body as { completions: number }).completions).toBe(30)
    }
  }, 600_000)

  test("another tenant's campaign answers 404, as an unknown one, for reading and for starting", async () => {
    const h = http()
    await h.call("user", "POST", "/operators", { username: "bf-admin", password: "a long passphrase", role: "tenant-admin", tenant })
    const login = await h.call("user", "POST", "/auth/login", { username: "bf-admin", password: "a long passphrase" })
    const own = api(lt, { authorization: `Bearer ${(login.body as { accessToken: string }).accessToken}` })
    for (const id of [ids.foreign, randomUUID()]) {
      expect((await own.call("campaign", "POST", `/campaign/${id}/backfill`, { from: "2026-01-01T00:00:00Z" })).status).toBe(404)
      expect((await own.call("campaign", "GET", `/campaign/${id}/backfill`)).status).toBe(404)
    }
    expect((await own.call("campaign", "GET", `/campaign/${ids.late}/backfill`)).status).toBe(200)
    const bad = await own.call("campaign", "POST", `/campaign/${ids.late}/backfill`, { from: "yesterday" })
    expect(bad.status).toBe(422)
    expect((bad.body as { field: string }).field).toBe("from")
  }, 60_000)
})
