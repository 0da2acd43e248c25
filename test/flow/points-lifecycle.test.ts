import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { allLoyalteaGroups, api, eventually, groupsCaughtUp, produce, readTopic, rewindGroups } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../support/process.ts"

const day = 86_400_000
const campaignOf = new Map<string, string>()
const rewardOf = new Map<string, string>()
const programs: Record<string, unknown> = {
  pend: { pending_days: 14 },
  exp: { points_expire_after: "P1D" },
  tier: { tiers: [{ name: "silver", min_points: 10, multiplier: 2 }], tier_window: "PT15S" },
  "rev-allow": {},
  "rev-clamp": { negative_balance: "clamp" }
}
const tenants = Object.keys(programs)

interface Balance { points: number; pending: number; lifetime_earned: number; tier: string | null }

describe("the points lifecycle end to end through a real broker", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn", LOYALTEA_LIFECYCLE_JOB_MS: "300" })
  const http = () => api(lt)
  const balance = async (tenant: string, user: string) => (await http().call("reward", "GET", `/user-rewards/${user}/?tenant=${tenant}`)).body as Balance
  const ledger = async (tenant: string, user: string) =>
    ((await http().call("reward", "GET", `/user-rewards/${user}/ledger?tenant=${tenant}`)).body as { entries: Array<{ kind: string; amount: number; pending: number; shortfall: number; eventId: string }> }).entries
  const buy = (tenant: string, user: string, eventId: string, at: number) =>
    produce(broker.address, "buy", [{ tenant, userId: user, eventId, product: "bread", amount: 5, occurredAt: new Date(at).toISOString() }])
  const revoke = (tenant: string, user: string, eventId: string, rewardEventId: string, points?: string) =>
    produce(broker.address, "reward-revoked", [{
      tenant, userId: user, eventId, rewardId: rewardOf.get(tenant), campaignId: campaignOf.get(tenant), causeEventId: `refund-${eventId}`, rewardEventId,
      occurredAt: new Date().toISOString(), ...(points === undefined ? {} : { points })
    }])

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess()
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    for (const tenant of tenants) {
      await http().create("user", "/tenants", { id: tenant, name: tenant })
      const reward = await http().create("reward", "/rewards/", { tenant, reward_points: 10 })
      const fulfillment = await http().create("fulfillment", "/buy-fulfillments/", { tenant, name: "bread", product: "bread", amount: 1 })
      const campaign = await http().create("campaign", "/campaign", { tenant, name: "bread", fulfillments: [fulfillment.fulfillment_id], rewards: [reward.reward_id] })
      rewardOf.set(tenant, reward.reward_id)
      campaignOf.set(tenant, campaign.id)
      expect((await http().call("reward", "PUT", `/programs/${tenant}`, programs[tenant])).status).toBe(200)
    }
  }, 120_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("a credit inside the pending period is pending, then the job activates it", async () => {
    await buy("pend", "ann", "pend-1", Date.now() - 14 * day + 6000)
    expect(await eventually(() => balance("pend", "ann"), (b) => b.pending === 10)).toMatchObject({ points: 0, pending: 10 })
    expect(await eventually(() => balance("pend", "ann"), (b) => b.points === 10, 30_000)).toMatchObject({ points: 10, pending: 0 })
    expect((await ledger("pend", "ann")).map((e) => e.kind)).toEqual(["activation", "credit"])
  }, 60_000)

  test("a lot expires once its date passes: one expiry entry for its remainder", async () => {
    await buy("exp", "bo", "exp-1", Date.now() - day + 6000)
    await eventually(() => balance("exp", "bo"), (b) => b.points === 10)
    await http().call("reward", "POST", "/user-rewards/bo/redemptions", { tenant: "exp", points: 3, reason: "coffee", idempotencyKey: "bo-1" })
    expect(await eventually(() => balance("exp", "bo"), (b) => b.points === 0, 30_000)).toMatchObject({ points: 0, expiring: [] })
    expect((await ledger("exp", "bo")).map((e) => [e.kind, e.amount])).toEqual([["expiry", -7], ["redemption", -3], ["credit", 10]])
  }, 60_000)

  test("a tier upgrade multiplies later credits; it lapses as the window slides, and is earned back", async () => {
    await buy("tier", "cy", "tier-1", Date.now())
    expect(await eventually(() => balance("tier", "cy"), (b) => b.tier === "silver")).toMatchObject({ points: 10 })
    await buy("tier", "cy", "tier-2", Date.now())
    expect(await eventually(() => balance("tier", "cy"), (b) => b.points === 30)).toMatchObject({ points: 30, lifetime_earned: 30, tier: "silver" })
    expect(await eventually(() => balance("tier", "cy"), (b) => b.tier === null, 40_000)).toMatchObject({ points: 30, tier: null })
    await buy("tier", "cy", "tier-3", Date.now())
    expect(await eventually(() => balance("tier", "cy"), (b) => b.points === 40)).toMatchObject({ points: 40, tier: "silver" })
  }, 90_000)

  test("reward-revoked takes a spent credit back below zero under allow, to zero with the shortfall under clamp", async () => {
    for (const tenant of ["rev-allow", "rev-clamp"]) {
      await buy(tenant, "dee", `${tenant}-1`, Date.now())
      await eventually(() => balance(tenant, "dee"), (b) => b.points === 10)
      await http().call("reward", "POST", "/user-rewards/dee/redemptions", { tenant, points: 8, reason: "mug", idempotencyKey: "dee-1" })
      const credit = (await ledger(tenant, "dee")).find((e) => e.kind === "credit")!
      await revoke(tenant, "dee", `${tenant}-revoke-1`, credit.eventId)
    }
    expect(await eventually(() => balance("rev-allow", "dee"), (b) => b.points === -8)).toMatchObject({ points: -8, lifetime_earned: 0 })
    expect(await eventually(() => balance("rev-clamp", "dee"), (b) => b.points === 0)).toMatchObject({ points: 0 })
    expect((await ledger("rev-clamp", "dee"))[0]).toMatchObject({ kind: "reversal", amount: -2, shortfall: 8 })
  }, 60_000)

  test("a reward-revoked that arrives before its credit is held and applied when the credit comes", async () => {
    await revoke("rev-allow", "eve", "held-revoke-1", "held-reward-1", "4")
    await Bun.sleep(1000)
    expect(await balance("rev-allow", "eve")).toMatchObject({ points: 0 })
    await produce(broker.address, "reward", [{
      tenant: "rev-allow", userId: "eve", eventId: "held-reward-1", rewardId: rewardOf.get("rev-allow"), campaignId: campaignOf.get("rev-allow"), points: "10"
    }])
    expect(await eventually(() => balance("rev-allow", "eve"), (b) => b.points === 6)).toMatchObject({ points: 6, lifetime_earned: 6 })
  }, 60_000)

  test("every movement is on reward-notify; replaying every topic from offset 0 changes no balance, entry or notification", async () => {
    const notifications = async () => (await readTopic(broker.address, "reward-notify", Number.POSITIVE_INFINITY, 4000)).map((m) => JSON.parse(m.value) as { kind: string; tenant: string; eventId: string })
    // The tier lapses by the clock alone; once it has, nothing but events moves a balance.
    await eventually(() => balance("tier", "cy"), (b) => b.tier === null, 40_000)
    const adjusted = await http().call("reward", "POST", "/user-rewards/eve/adjustments", { tenant: "rev-allow", points: 1.5, reason: "goodwill" }, { "idempotency-key": "eve-goodwill" })
    expect(adjusted.status).toBe(201)
    // Published at once, or by the outbox relay when an older batch is still waiting.
    const before = await eventually(notifications, (list) => list.some((n) => n.kind === "adjusted"), 30_000)
    expect(new Set(before.map((n) => n.kind))).toEqual(new Set(["credited", "activated", "redeemed", "expired", "tier-changed", "reversed", "adjusted"]))
    const snapshot = async () => {
      const users = ["ann", "bo", "cy", "dee", "eve"]
      return Promise.all(tenants.flatMap((tenant) => users.map(async (user) => [tenant, user, await balance(tenant, user), (await ledger(tenant, user)).length])))
    }
    const state = await snapshot()
    expect(await lt.stop()).toBe(0)
    await rewindGroups(broker.address)
    expect(await groupsCaughtUp(broker.address, allLoyalteaGroups)).toBe(false)
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    expect(await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (done) => done, 90_000)).toBe(true)
    await Bun.sleep(1500)
    expect(await snapshot()).toEqual(state)
    // Delivery to Kafka is at least once (a consumer drops a re-sent event by its id): no new movement appeared.
    const ids = (list: ReadonlyArray<{ eventId: string; kind: string }>) => [...new Set(list.map((n) => `${n.kind} ${n.eventId}`))].sort()
    expect(ids(await notifications())).toEqual(ids(before))
  }, 180_000)
})
