import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, groupsCaughtUp, allLoyalteaGroups, produce, rewindGroups } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../support/process.ts"

const tenant = "rules-shop"
const id = () => randomUUID()
const day = 86_400_000
const ago = (ms: number) => new Date(Date.now() - ms).toISOString()

/**
 * The rule language end to end: a real process, a standalone broker and PostgreSQL, the tenant in
 * Europe/Berlin. Each scenario has products and users of its own; a `marker` purchase of the same
 * user (same key, same partition, handled after it) shows an event was judged even when it
 * credited nothing.
 */
describe("the rules through the whole chain, judged on event time", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  const ids = {
    perAmount: id(), cake: id(), coffee: id(), bread: id(), marker: id(),
    teaRule: id(), cakeRule: id(), coffeeRule: id(), breadRule: id(), markerRule: id(),
    cakeCampaign: ""
  }
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn" })
  const http = () => api(lt)
  const balance = async (user: string) => (await http().balances(tenant))[user] ?? 0
  const buy = (user: string, product: string, amount: number, occurredAt: string) =>
    ({ tenant, product, amount, userId: user, occurredAt, eventId: `${user}-${product}-${occurredAt}-${amount}` })
  /** Sends the purchases, then a marker purchase (1 point), and waits until the marker is credited. */
  const judged = async (user: string, purchases: ReadonlyArray<ReturnType<typeof buy>>) => {
    const before = await balance(user)
    const marker = buy(user, "marker", 1, new Date().toISOString())
    await produce(broker.address, "buy", [...purchases, marker])
    return eventually(() => balance(user), (points) => Number.isInteger(points - before - 1) && points >= before + 1, 30_000)
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    const h = http()
    await h.create("user", "/tenants", { id: tenant, name: "Rules shop", timeZone: "Europe/Berlin" })
    await h.create("reward", "/rewards/", { tenant, reward_id: ids.perAmount, name: "1 per 10.00", kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "down", max_points: 500 })
    for (const [reward, points] of [[ids.cake, 5], [ids.coffee, 7], [ids.bread, 10], [ids.marker, 1]] as const) {
      await h.create("reward", "/rewards/", { tenant, reward_id: reward, reward_points: points })
    }
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.teaRule, name: "tea", product: "tea", amount: 0 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.cakeRule, name: "cake", product: "cake", amount: 1 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.coffeeRule, name: "coffee", product: "coffee", amount: 1 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.breadRule, name: "bread 3 times a week", product: "bread", amount: 0, count: 3, within: "P7D" })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: ids.markerRule, name: "marker", product: "marker", amount: 0 })
    await h.create("campaign", "/campaign", {
      tenant, name: "tea in January", fulfillments: [ids.teaRule], rewards: [ids.perAmount], startsAt: "2026-01-01T00:00:00+01:00", endsAt: "2026-02-01T00:00:00+01:00"
    })
    ids.cakeCampaign = ((await h.create("campaign", "/campaign", { tenant, name: "cake", fulfillments: [ids.cakeRule], rewards: [ids.cake] })) as { id: string }).id
    await h.create("campaign", "/campaign", { tenant, name: "a coffee a month", fulfillments: [ids.coffeeRule], rewards: [ids.coffee], limits: { perUserPerPeriod: { count: 1, period: "month" } } })
    await h.create("campaign", "/campaign", { tenant, name: "bread week", fulfillments: [ids.breadRule], rewards: [ids.bread] })
    await h.create("campaign", "/campaign", { tenant, name: "marker", fulfillments: [ids.markerRule], rewards: [ids.marker] })
  }, 120_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("a purchase dated inside a window that has closed still counts, at 1 point per 10.00 of it; one dated after does not", async () => {
    // January in Berlin; the campaign ended long before the events arrive.
    expect(await judged("tea-ann", [buy("tea-ann", "tea", 129.99, "2026-01-15T10:00:00Z"), buy("tea-ann", "tea", 50, "2026-02-15T10:00:00Z")])).toBe(12 + 1)
    const ledger = (await http().call("reward", "GET", `/user-rewards/tea-ann/ledger?tenant=${tenant}`)).body as { entries: Array<{ amount: number; basis: unknown }> }
    expect(ledger.entries.map((e) => e.amount).sort((a, b) => a - b)).toEqual([1, 12])
  }, 60_000)

  test("a campaign paused mid-stream advances nothing until it is active again", async () => {
    const now = () => new Date().toISOString()
    expect(await judged("cake-bob", [buy("cake-bob", "cake", 3, now())])).toBe(5 + 1)
    expect((await http().call("campaign", "PATCH", `/campaign/${ids.cakeCampaign}`, { status: "paused" })).status).toBe(200)
    expect(await judged("cake-bob", [buy("cake-bob", "cake", 4, now())])).toBe(6 + 1)
    const progress = (await http().call("campaign", "GET", `/campaign/${ids.cakeCampaign}/progress/cake-bob`)).body as { reasons: Array<{ rule: string }> }
    expect(progress.reasons.map((r) => r.rule)).toContain("status")
    expect((await http().call("campaign", "PATCH", `/campaign/${ids.cakeCampaign}`, { status: "active" })).status).toBe(200)
    expect(await judged("cake-bob", [buy("cake-bob", "cake", 5, now())])).toBe(7 + 5 + 1)
  }, 60_000)

  test("one coffee a month, in Berlin's months: 23:30 UTC on 31 January is already February there", async () => {
    const coffees = [
      buy("coffee-cid", "coffee", 2, "2026-01-31T22:30:00Z"), // 23:30 on 31 January in Berlin
      buy("coffee-cid", "coffee", 2, "2026-01-31T23:30:00Z"), // 00:30 on 1 February in Berlin: a new month
      buy("coffee-cid", "coffee", 2, "2026-02-10T10:00:00Z") // February's coffee is had already
    ]
    expect(await judged("coffee-cid", coffees)).toBe(7 + 7 + 1)
  }, 60_000)

  test("bread three times within seven days, arriving out of order, completes once the three lie in one week", async () => {
    const breads = ["2026-03-10T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-05T10:00:00Z"].map((at) => buy("bread-dee", "bread", 3, at))
    expect(await judged("bread-dee", breads)).toBe(1)
    // 1, 5 and 7 March lie within seven days: the goal is met by the event dated 7 March.
    expect(await judged("bread-dee", [buy("bread-dee", "bread", 3, "2026-03-07T10:00:00Z")])).toBe(10 + 2)
  }, 60_000)

  test("the progress says how far a cumulative goal is; a dry run says what one more loaf would do, with the points, storing nothing", async () => {
    expect(await judged("bread-eve", [buy("bread-eve", "bread", 3, ago(2 * day)), buy("bread-eve", "bread", 3, ago(1 * day))])).toBe(1)
    const campaigns = (await http().call("campaign", "GET", `/campaign?tenant=${tenant}`)).body as { campaigns: Array<{ id: string; name: string }> }
    const breadWeek = campaigns.campaigns.find((c) => c.name === "bread week")!.id
    const progress = (await http().call("campaign", "GET", `/campaign/${breadWeek}/progress/bread-eve`)).body as { missing: Array<string>; goals: Array<{ description: string }> }
    expect(progress.missing).toEqual([ids.breadRule])
    expect(progress.goals.map((g) => g.description)).toEqual(["2 of 3 purchases in the last 7 days"])
    const dry = await http().call("fulfillment", "POST", "/events/buy?dryRun=true", { tenant, product: "bread", amount: 3, userId: "bread-eve" })
    expect(dry.status).toBe(200)
    const [event] = (dry.body as { events: Array<{ campaigns: Array<{ campaignId: string; outcome: string; rewards: Array<{ points: number }> }> }> }).events
    expect(event!.campaigns.find((c) => c.campaignId === breadWeek)).toMatchObject({ outcome: "completes", rewards: [{ points: 10 }] })
    await Bun.sleep(500)
    expect(await balance("bread-eve")).toBe(1)
  }, 60_000)

  test("replaying every topic from offset 0 after all of it changes no balance", async () => {
    const before = await http().balances(tenant)
    expect(await lt.stop()).toBe(0)
    await rewindGroups(broker.address)
    expect(await groupsCaughtUp(broker.address, allLoyalteaGroups)).toBe(false)
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    expect(await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (done) => done, 90_000)).toBe(true)
    await Bun.sleep(1500)
    expect(await http().balances(tenant)).toEqual(before)
  }, 180_000)
})
