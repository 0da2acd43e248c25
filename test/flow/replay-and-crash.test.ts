import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, groupsCaughtUp, allLoyalteaGroups, produce, rewindGroups } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { spawnLoyaltea, waitStarted } from "../support/process.ts"

const rewardId = "9b2f8a52-7c1e-4d3a-9f6b-1a2b3c4d5e6f"
const breadRule = "5f0e6d7c-8b9a-4c3d-8e2f-1a0b9c8d7e6f"
const users = Array.from({ length: 50 }, (_, i) => `user-${i}`)

/** `count` purchases spread over the users; every one qualifies (amount ≥ 10). */
const purchases = (count: number, seed: number) =>
  Array.from({ length: count }, (_, i) => ({ tenant: "crashy", product: "bread", amount: 10 + (i % 7), userId: users[(i * 7 + seed) % users.length]!, eventId: `p-${seed}-${i}` }))

const expectedBalances = (events: ReadonlyArray<{ userId: string }>) => {
  const points: Record<string, number> = {}
  for (const event of events) points[event.userId] = (points[event.userId] ?? 0) + 2.5
  return points
}

describe("exactly once across replays and crashes (standalone broker, real PostgreSQL)", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn" })
  const sent: Array<{ userId: string }> = []

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess()
    const lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    const http = api(lt)
    await http.create("user", "/tenants", { id: "crashy", name: "Crashy" })
    await http.create("reward", "/rewards/", { tenant: "crashy", reward_id: rewardId, reward_points: 2.5 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant: "crashy", fulfillment_id: breadRule, name: "bread", product: "bread", amount: 10 })
    await http.create("campaign", "/campaign", { tenant: "crashy", name: "every loaf", fulfillments: [breadRule], rewards: [rewardId] })
    expect(await lt.stop()).toBe(0)
  }, 90_000)
  afterAll(async () => {
    await broker?.stop()
    await database?.drop()
  })

  test("SIGKILL in the middle of a stream of thousands of purchases loses none and doubles none", async () => {
    const lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    const http = api(lt)
    const first = purchases(3000, 1)
    const producing = produce(broker.address, "buy", first)
    // Kill the process while it is crediting: some batches committed, some in flight.
    await eventually(() => http.balances("crashy"), (b) => Object.keys(b).length > 0, 30_000)
    lt.proc.kill("SIGKILL")
    await lt.exited
    await producing
    sent.push(...first)

    const restarted = await spawnLoyaltea(env())
    await waitStarted(restarted)
    const more = purchases(1000, 2)
    await produce(broker.address, "buy", more)
    sent.push(...more)
    const expected = expectedBalances(sent)
    const balances = await eventually(() => api(restarted).balances("crashy"), (b) => Bun.deepEquals(b, expected), 90_000)
    expect(balances).toEqual(expected)
    expect(await restarted.stop()).toBe(0)
  }, 180_000)

  test("replaying every topic from offset 0 changes no balance", async () => {
    await rewindGroups(broker.address)
    // The rewind took: every group is back at the start of topics that hold thousands of events.
    expect(await groupsCaughtUp(broker.address, allLoyalteaGroups)).toBe(false)
    const lt = await spawnLoyaltea(env())
    await waitStarted(lt)
    expect(await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (done) => done, 90_000)).toBe(true)
    // Everything was consumed again; give the outbox relays a moment to publish anything they would have.
    await Bun.sleep(1500)
    expect(await eventually(() => groupsCaughtUp(broker.address, allLoyalteaGroups), (done) => done, 30_000)).toBe(true)
    expect(await api(lt).balances("crashy")).toEqual(expectedBalances(sent))
    expect(await lt.stop()).toBe(0)
  }, 180_000)
})
