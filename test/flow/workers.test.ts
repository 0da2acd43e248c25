import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { childPids, spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"
import { api, eventually, produce } from "../support/flow.ts"

// The default start on its embedded defaults (PGlite and the broker in the supervising process),
// spread over two processes as LOYALTEA_WORKERS=2 asks: the event services in a worker.
const rewardId = "5a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
const fulfillmentId = "6bed8bf6-995b-450d-8417-1c368709e1e3"
const users = Array.from({ length: 20 }, (_, i) => `w-user-${i}`)

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("the default start over worker processes (LOYALTEA_WORKERS=2, embedded database and broker)", () => {
  let lt: LoyalteaProcess
  let brokers: string
  const http = () => api(lt)
  // -1 while the reward service is down (its worker restarting).
  const total = async () => Object.values(await http().balances("shop")).reduce((a, b) => a + b, 0)
  const totalOrDown = () => total().catch(() => -1)
  const purchases = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({ tenant: "shop", product: "tea", amount: 10, userId: users[(from + i) % users.length], eventId: `w-${from + i}` }))

  beforeAll(async () => {
    lt = await spawnLoyaltea({ LOYALTEA_WORKERS: "2" })
    await waitStarted(lt)
    brokers = `127.0.0.1:${lt.ports.broker}`
    await http().create("user", "/tenants", { id: "shop", name: "Shop" })
    await http().create("reward", "/rewards/", { tenant: "shop", reward_id: rewardId, reward_points: 3 })
    await http().create("fulfillment", "/buy-fulfillments/", { tenant: "shop", fulfillment_id: fulfillmentId, name: "tea", product: "tea", amount: 5 })
    await http().create("campaign", "/campaign", { tenant: "shop", name: "tea", fulfillments: [fulfillmentId], rewards: [rewardId] })
  }, 120_000)
  afterAll(async () => {
    await lt?.stop()
  })

  test("the banner names both processes; the event services run in the worker, a child of the supervisor", () => {
    expect(lt.output()).toContain("processes 2 (LOYALTEA_WORKERS): user, console | fulfillment, campaign, reward")
    expect(lt.output().match(/Loyaltea is up/g)).toHaveLength(1)
    expect(childPids(lt.proc.pid)).toHaveLength(1)
  })

  test("purchases are credited exactly once through the worker, and again after the worker is killed with SIGKILL mid-stream", async () => {
    await produce(brokers, "buy", purchases(0, 200))
    expect(await eventually(total, (points) => points === 600, 60_000)).toBe(600)
    const [worker] = childPids(lt.proc.pid)
    await produce(brokers, "buy", purchases(200, 300))
    process.kill(worker!, "SIGKILL")
    // Redelivered, some of them twice: the same ids.
    await produce(brokers, "buy", purchases(150, 100))
    const replacement = await eventually(async () => childPids(lt.proc.pid), (pids) => pids.length === 1 && pids[0] !== worker, 30_000)
    expect(replacement[0]).not.toBe(worker)
    expect(await eventually(totalOrDown, (points) => points === 1500, 90_000)).toBe(1500)
    await Bun.sleep(1000)
    expect(await total()).toBe(1500)
    expect(lt.output()).toContain("exited with code")
  }, 180_000)

  test("SIGTERM stops the supervisor and its worker with it", async () => {
    const [worker] = childPids(lt.proc.pid)
    expect(await lt.stop("SIGTERM")).toBe(0)
    expect(await eventually(async () => alive(worker!), (up) => !up, 15_000)).toBe(false)
  }, 30_000)
})

describe("a worker whose supervisor is killed with SIGKILL", () => {
  test("exits on its own, leaving no process holding the service ports", async () => {
    const lt = await spawnLoyaltea({ LOYALTEA_WORKERS: "2" })
    await waitStarted(lt)
    const [worker] = childPids(lt.proc.pid)
    expect(worker).toBeGreaterThan(0)
    lt.proc.kill("SIGKILL")
    await lt.exited
    expect(await eventually(async () => alive(worker!), (up) => !up, 15_000)).toBe(false)
  }, 120_000)
})
