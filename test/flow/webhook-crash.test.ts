import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, groupsCaughtUp, produce, rewindGroups } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { spawnLoyaltea, waitStarted } from "../support/process.ts"
import { startReceiver, verifySignature } from "../reward/webhooks/receiver.ts"

const rewardId = "4a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d"
const users = ["ann", "bob", "cy", "dee"]
const credits = Array.from({ length: 24 }, (_, i) => ({ tenant: "hooked", rewardId, campaignId: rewardId, userId: users[i % users.length]!, eventId: `credit-${i}` }))

describe("webhooks across a SIGKILL of the relay's process (standalone broker, real PostgreSQL)", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  const env = () => ({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: broker.address,
    LOG_LEVEL: "warn",
    LOYALTEA_SERVICES: "reward,user",
    LOYALTEA_WEBHOOK_ALLOW_PRIVATE: "true",
    LOYALTEA_WEBHOOK_TIMEOUT_MS: "1000",
    LOYALTEA_WEBHOOK_BACKOFF_MS: "100",
    LOYALTEA_WEBHOOK_POLL_MS: "100"
  })

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess()
  }, 60_000)
  afterAll(async () => {
    await broker?.stop()
    await database?.drop()
  })

  test("deliveries in flight when the process dies are sent after the restart: none lost, repeats only with the same event id, each member in order; a replay adds none", async () => {
    let killed: () => void = () => undefined
    const dead = new Promise<void>((resolve) => (killed = resolve))
    let held = 0
    // The receiver holds its first requests open until the process is dead: they are mid-delivery.
    const receiver = startReceiver(async (_request, index) => {
      if (index < 3) {
        held++
        await dead
      }
      return new Response("ok")
    })
    try {
      const lt = await spawnLoyaltea(env())
      await waitStarted(lt)
      const http = api(lt)
      await http.create("user", "/tenants", { id: "hooked", name: "Hooked" })
      await http.create("reward", "/rewards/", { tenant: "hooked", reward_id: rewardId, reward_points: 2 })
      const hook = (await http.create("reward", "/webhooks", { tenant: "hooked", url: receiver.url, events: ["credited", "campaign-completed"] })) as { id: string; secret: string }
      await produce(broker.address, "reward", credits)
      expect(await eventually(async () => held, (n) => n >= 1, 60_000)).toBeGreaterThanOrEqual(1)
      lt.proc.kill("SIGKILL")
      await lt.exited
      const cutOff = held
      killed()

      const restarted = await spawnLoyaltea(env())
      await waitStarted(restarted)
      const deliveries = () =>
        api(restarted).call("reward", "GET", `/webhooks/${hook.id}/deliveries?limit=1000`).then((r) => (r.body as { items: Array<{ eventId: string; status: string; userId: string }> }).items)
      // Each credit is two deliveries: the campaign's completion (topic reward) and the credit (reward-notify).
      const expected = credits.length * 2
      const done = await eventually(deliveries, (list) => list.length === expected && list.every((d) => d.status === "delivered"), 90_000)
      expect(done).toHaveLength(expected)

      const ids = new Set(receiver.received.map((r) => r.headers["loyaltea-event-id"]))
      expect(ids.size).toBe(expected)
      expect(new Set(receiver.received.map((r) => r.headers["loyaltea-event-type"]))).toEqual(new Set(["credited", "campaign-completed"]))
      // A request sent twice is the same event: same id, same body, and it verifies.
      const bodyOf = new Map<string, string>()
      for (const got of receiver.received) {
        const id = got.headers["loyaltea-event-id"]!
        expect(bodyOf.get(id) ?? got.body).toBe(got.body)
        bodyOf.set(id, got.body)
        expect(verifySignature(got.headers["loyaltea-signature"], got.body, hook.secret)).toBe(true)
      }
      // The requests cut off by the kill were sent again: duplicates, each with its event's id.
      expect(receiver.received.length).toBeGreaterThanOrEqual(expected + cutOff)
      // Each member's credits arrived (first time) in the order they happened: their balances only grow.
      for (const user of users) {
        const credited = receiver.received.map((r) => JSON.parse(r.body)).filter((b) => b.type === "credited").map((b) => b.data)
        const balances = [...new Set(credited.filter((d) => d.userId === user).map((d) => d.balance as number))]
        expect(balances).toEqual([2, 4, 6, 8, 10, 12])
      }
      expect(await restarted.stop()).toBe(0)

      // Both topics replayed from offset 0 through the webhook group: not one delivery more.
      const webhookGroup = { groupId: "loyaltea-reward-webhooks", topics: ["reward-notify", "reward"] }
      await rewindGroups(broker.address, [webhookGroup])
      const sentBefore = receiver.received.length
      const replaying = await spawnLoyaltea(env())
      await waitStarted(replaying)
      expect(await eventually(() => groupsCaughtUp(broker.address, [webhookGroup]), (caughtUp) => caughtUp, 60_000)).toBe(true)
      await Bun.sleep(1000)
      const after = ((await api(replaying).call("reward", "GET", `/webhooks/${hook.id}/deliveries?limit=1000`)).body as { items: Array<{ status: string }> }).items
      expect(after).toHaveLength(expected)
      expect(after.every((d) => d.status === "delivered")).toBe(true)
      expect(receiver.received.length).toBe(sentBefore)
      expect(await replaying.stop()).toBe(0)
    } finally {
      killed()
      receiver.stop()
    }
  }, 240_000)
})
