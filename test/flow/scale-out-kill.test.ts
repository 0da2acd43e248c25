import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { AssignerProtocol } from "kafkajs"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, groupsCaughtUp, kafkaClient, loyalteaGroups, produce } from "../support/flow.ts"
import { freePort } from "../support/ports.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { freePorts, spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"

const tenant = "scale"
const rewardId = "6f4a5b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7c"
const fulfillmentId = "7a5b6c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
const users = Array.from({ length: 200 }, (_, i) => `scaler-${i}`)
const purchasesPerUser = 15
const partitions = 4

/**
 * Two processes of each event service against one standalone broker and one PostgreSQL; one is
 * killed with SIGKILL in the middle of a stream of purchases. Its partitions move to the other,
 * which takes them from the last committed offsets: nothing is lost and nothing is credited twice.
 */
describe("scale-out: two processes of each service, one killed mid-stream", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let first: LoyalteaProcess
  let second: LoyalteaProcess
  let ports: Awaited<ReturnType<typeof freePorts>>

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions })
    ports = await freePorts()
    const shared = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.address,
      KAFKA_TOPIC_PARTITIONS: String(partitions),
      // One member per service and process, so each group's partitions split between the two.
      KAFKA_CONSUMERS_PER_SERVICE: "1",
      // A dead member is noticed within this long.
      KAFKA_SESSION_TIMEOUT_MS: "3000",
      LOYALTEA_USER_SERVICE_URL: `http://127.0.0.1:${ports.user}/`,
      LOG_LEVEL: "warn"
    }
    first = await spawnLoyaltea({ ...shared, CAMPAIGN_PORT: String(ports.campaign), REWARD_PORT: String(ports.reward), FULFILLMENT_PORT: String(ports.fulfillment), USER_PORT: String(ports.user) })
    await waitStarted(first)
    second = await spawnLoyaltea({
      ...shared,
      LOYALTEA_SERVICES: "campaign,reward,fulfillment",
      CAMPAIGN_PORT: String(await freePort()),
      REWARD_PORT: String(await freePort()),
      FULFILLMENT_PORT: String(await freePort())
    })
    await waitStarted(second)
  }, 150_000)
  afterAll(async () => {
    await Promise.all([first, second].filter(Boolean).map((p) => p.stop()))
    await broker?.stop()
    await database?.drop()
  })

  /** How many members of `group` hold partitions of `topic` (0 while it rebalances). */
  const membersHolding = async (group: string, topic: string) => {
    const admin = kafkaClient(broker.address).admin()
    await admin.connect()
    try {
      const { groups } = await admin.describeGroups([group])
      if (groups[0]?.state !== "Stable") return 0
      return groups[0].members.filter((member) => (AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? []).length > 0).length
    } finally {
      await admin.disconnect()
    }
  }

  test("the survivor takes the killed process's partitions: every purchase credited exactly once", async () => {
    const http = api({ ports })
    await http.create("user", "/tenants", { id: tenant, name: "Scale" })
    await http.create("reward", "/rewards/", { tenant, reward_id: rewardId, reward_points: 100 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: fulfillmentId, name: "bread", product: "bread", amount: 100 })
    await http.create("campaign", "/campaign", { tenant, name: "bread", fulfillments: [fulfillmentId], rewards: [rewardId] })
    // Both processes hold partitions of each stage before the stream starts.
    for (const [group, topic] of [["loyaltea-fulfillment", "buy"], ["loyaltea-campaign", "fulfillment"], ["loyaltea-reward", "reward"]] as const) {
      expect(await eventually(() => membersHolding(group, topic), (n) => n === 2, 60_000)).toBe(2)
    }

    const purchase = (user: string, i: number) => ({ tenant, product: "bread", amount: 101, userId: user, eventId: `${user}-${i}` })
    const total = (balances: Record<string, number>) => Object.values(balances).reduce((sum, points) => sum + points, 0)
    // A third of the stream, then the kill while the rest is being produced and consumed.
    const rounds = Array.from({ length: purchasesPerUser }, (_, i) => users.map((user) => purchase(user, i)))
    for (const round of rounds.slice(0, 5)) await produce(broker.address, "buy", round)
    await eventually(() => http.balances(tenant), (balances) => total(balances) > 0, 30_000)
    second.proc.kill("SIGKILL")
    for (const round of rounds.slice(5)) await produce(broker.address, "buy", round)

    const expected = users.length * purchasesPerUser * 100
    await eventually(() => http.balances(tenant), (balances) => total(balances) >= expected, 120_000)
    expect(await eventually(() => groupsCaughtUp(broker.address, loyalteaGroups), (done) => done, 60_000)).toBe(true)
    const balances = await http.balances(tenant)
    expect(total(balances)).toBe(expected)
    expect(Object.values(balances).every((points) => points === purchasesPerUser * 100)).toBe(true)
    expect(Object.keys(balances)).toHaveLength(users.length)
    // The survivor alone holds every partition now.
    expect(await membersHolding("loyaltea-fulfillment", "buy")).toBe(1)
  }, 300_000)
})
