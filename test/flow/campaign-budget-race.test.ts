import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { AssignerProtocol } from "kafkajs"
import postgres from "postgres"
import { rewardDefinitionEventId } from "../../src/events/reward-definition.ts"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, groupsCaughtUp, kafkaClient, loyalteaGroups, produce, readTopic } from "../support/flow.ts"
import { freePort } from "../support/ports.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { freePorts, spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"

const tenant = "race"
const coffee = "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
const tenPoints = "4d2e3f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60"
const threePoints = "5e3f4a6b-7c8d-4e9f-8a1b-2c3d4e5f6071"
const users = Array.from({ length: 400 }, (_, i) => `racer-${i}`)
const partitions = 4

describe("a campaign budget under two campaign processes (standalone broker, real PostgreSQL)", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let others: LoyalteaProcess
  const campaigns: Array<LoyalteaProcess> = []
  let ports: Awaited<ReturnType<typeof freePorts>>

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions })
    ports = await freePorts()
    const shared = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.address,
      KAFKA_TOPIC_PARTITIONS: String(partitions),
      USER_PORT: String(ports.user),
      REWARD_PORT: String(ports.reward),
      LOYALTEA_USER_SERVICE_URL: `http://127.0.0.1:${ports.user}/`,
      LOG_LEVEL: "warn"
    }
    // The fulfillment events are produced below as the fulfillment service emits them.
    others = await spawnLoyaltea({ ...shared, LOYALTEA_SERVICES: "user,reward" })
    await waitStarted(others)
    // One group member per process, so the partitions split between the two processes.
    for (const port of [ports.campaign, await freePort()]) {
      campaigns.push(await spawnLoyaltea({ ...shared, LOYALTEA_SERVICES: "campaign", CAMPAIGN_PORT: String(port), KAFKA_CONSUMERS_PER_SERVICE: "1" }))
    }
    await Promise.all(campaigns.map((p) => waitStarted(p)))
  }, 150_000)
  afterAll(async () => {
    await Promise.all([others, ...campaigns].filter(Boolean).map((p) => p.stop()))
    await broker?.stop()
    await database?.drop()
  })

  /** How many members of the campaign group hold partitions of topic fulfillment (0 while it rebalances). */
  const campaignGroupMembers = async () => {
    const admin = kafkaClient(broker.address).admin()
    await admin.connect()
    try {
      const { groups } = await admin.describeGroups(["loyaltea-campaign"])
      if (groups[0]?.state !== "Stable") return 0
      return groups[0].members.filter((member) =>
        (AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment.fulfillment ?? []).length > 0).length
    } finally {
      await admin.disconnect()
    }
  }

  test("many users on every partition complete the campaigns at once: exactly the budgets are credited, not a point more or less", async () => {
    const http = api({ ports })
    await http.create("user", "/tenants", { id: tenant, name: "Race" })
    await http.create("reward", "/rewards/", { tenant, reward_id: tenPoints, reward_points: 10 })
    await http.create("reward", "/rewards/", { tenant, reward_id: threePoints, reward_points: 3 })
    const byPoints = (await http.create("campaign", "/campaign", { tenant, name: "50 points", fulfillments: [coffee], rewards: [tenPoints], limits: { budgetPoints: 50 } })) as { id: string }
    const byCompletions = (await http.create("campaign", "/campaign", { tenant, name: "7 coffees", fulfillments: [coffee], rewards: [threePoints], limits: { budgetCompletions: 7 } })) as { id: string }

    // The reward service's earning rules, as it publishes them on topic reward-definition (keyed by reward).
    const producer = kafkaClient(broker.address).producer()
    await producer.connect()
    await producer.send({
      topic: "reward-definition",
      acks: -1,
      messages: [[tenPoints, "10"], [threePoints, "3"]].map(([rewardId, points]) => ({
        key: rewardId,
        value: JSON.stringify({ tenant, rewardId, version: 1, deleted: false, kind: "fixed", points, eventId: rewardDefinitionEventId(rewardId!, 1) })
      }))
    })
    await producer.disconnect()
    const sql = postgres(database.url, { max: 1, onnotice: () => {} })
    try {
      const mirrored = await eventually(
        async () => (await sql<Array<{ n: number }>>`select count(*)::int as n from campaign.reward_definitions where tenant = ${tenant}`)[0]!.n,
        (n) => n === 2,
        30_000
      )
      expect(mirrored).toBe(2)
      expect(await eventually(campaignGroupMembers, (n) => n === 2, 60_000)).toBe(2)

      // A first user completes both once, so the budgets' rows exist and every batch below meets on them.
      const fulfilled = (userId: string) => ({ tenant, fulfillmentId: coffee, userId, eventId: `f-${userId}`, causeEventId: `buy-${userId}` })
      await produce(broker.address, "fulfillment", [fulfilled("first")])
      const total = (balances: Record<string, number>) => Object.values(balances).reduce((sum, points) => sum + points, 0)
      expect(total(await eventually(() => http.balances(tenant), (balances) => total(balances) === 13, 30_000))).toBe(13)

      // Demand far beyond both budgets, from users whose keys fall on every partition, all at once: the
      // fulfillment events as the fulfillment service emits them, so both processes' batches start together.
      await produce(broker.address, "fulfillment", users.map(fulfilled))
      const expected = 5 * 10 + 7 * 3
      await eventually(() => http.balances(tenant), (balances) => total(balances) >= expected, 90_000)
      expect(await eventually(() => groupsCaughtUp(broker.address, loyalteaGroups), (done) => done, 60_000)).toBe(true)
      expect(total(await http.balances(tenant))).toBe(expected)

      const admin = kafkaClient(broker.address).admin()
      await admin.connect()
      const offsets = await admin.fetchTopicOffsets("fulfillment")
      await admin.disconnect()
      // Every partition carried demand, and both processes held partitions of it throughout.
      expect(offsets.map((p) => Number(p.high)).reduce((a, b) => a + b, 0)).toBe(users.length + 1)
      expect(offsets.filter((p) => Number(p.high) > 0)).toHaveLength(partitions)
      expect(await campaignGroupMembers()).toBe(2)

      const rewards = (await readTopic(broker.address, "reward", 12)).map((m) => JSON.parse(m.value) as { campaignId: string; points?: string })
      expect(rewards.filter((r) => r.campaignId === byPoints.id).map((r) => r.points)).toEqual(Array(5).fill("10"))
      expect(rewards.filter((r) => r.campaignId === byCompletions.id).map((r) => r.points)).toEqual(Array(7).fill("3"))
      const usage = await sql<Array<{ campaign_id: string; completions: number; points: number }>>`
        select campaign_id::text, completions, points::float8 as points from campaign.budget_usage order by completions`
      expect([...usage]).toEqual([{ campaign_id: byPoints.id, completions: 5, points: 50 }, { campaign_id: byCompletions.id, completions: 7, points: 21 }])
      // The users the budgets left out wait, complete, for a budget that will not come back.
      const [waiting] = await sql<Array<{ n: number }>>`
        select count(*)::int as n from campaign.progress where campaign_id = ${byPoints.id} and completed = array[${coffee}]::uuid[]`
      expect(waiting!.n).toBe(users.length + 1 - 5)
    } finally {
      await sql.end()
    }
  }, 240_000)
})
