import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, produce } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"

const rewardId = "4c7f1e2a-9b3d-4e5f-8a6b-7c8d9e0f1a2b"
const rule = "6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a"
const users = Array.from({ length: 40 }, (_, i) => `u-${i}`)
const purchases = (count: number, seed: number) =>
  Array.from({ length: count }, (_, i) => ({ tenant: "restarty", product: "tea", amount: 10, userId: users[(i * 3 + seed) % users.length]!, eventId: `r-${seed}-${i}` }))

/** "group rebalancing" lines of the broker's log, per group. */
const rebalances = (output: string) => {
  const counts: Record<string, number> = {}
  for (const m of output.matchAll(/group rebalancing \{"group":"([^"]+)"/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1
  return counts
}

/**
 * The broker is killed under load and comes back on the same port and data directory while the
 * consumers are mid-stream. A coordinator that forgot its groups answered every member "unknown
 * member" one heartbeat after another, each rejoin restarting the group's rebalance; it now keeps the
 * groups' generations and members, so they carry on.
 */
describe("a broker killed and restarted under load", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ verbose: true })
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "info" })
    await waitStarted(lt)
    const http = api(lt)
    await http.create("user", "/tenants", { id: "restarty", name: "Restarty" })
    await http.create("reward", "/rewards/", { tenant: "restarty", reward_id: rewardId, reward_points: 1 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant: "restarty", fulfillment_id: rule, name: "tea", product: "tea", amount: 10 })
    await http.create("campaign", "/campaign", { tenant: "restarty", name: "tea", fulfillments: [rule], rewards: [rewardId] })
  }, 120_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  }, 30_000)

  test("each group settles in one rebalance and every purchase is credited once", async () => {
    const first = purchases(3000, 1)
    const producing = produce(broker.address, "buy", first)
    await eventually(() => api(lt).balances("restarty"), (b) => Object.keys(b).length > 0, 30_000)
    broker.proc.kill("SIGKILL")
    await broker.proc.exited
    const port = Number(broker.address.split(":")[1])
    await Bun.sleep(3000) // long enough for every client to notice and start retrying
    broker = await startBrokerProcess({ port, dataDir: broker.dataDir, verbose: true })
    const restartedAt = lt.output().length
    // The producer retries through the outage; a resent batch is the same events, which count once.
    await producing
    const more = purchases(1000, 2)
    await produce(broker.address, "buy", more)
    const expected: Record<string, number> = {}
    for (const p of [...first, ...more]) expected[p.userId] = (expected[p.userId] ?? 0) + 1
    const balances = await eventually(() => api(lt).balances("restarty"), (b) => Bun.deepEquals(b, expected), 90_000)
    expect(balances).toEqual(expected)
    // Long enough for every heartbeat interval and session timeout to have come round.
    await Bun.sleep(5000)
    const after = lt.output().slice(restartedAt)
    // Each group settles in at most one rebalance after the restart (most need none: the members
    // carry on with the generation the broker kept); no consumer had to be torn down and rebuilt.
    for (const [group, count] of Object.entries(rebalances(broker.output()))) expect({ group, count: Math.min(count, 1) }).toEqual({ group, count })
    expect(after.match(/consumer stopped; restarting/g) ?? []).toEqual([])
  }, 180_000)
})
