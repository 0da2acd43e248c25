import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { apiServiceNames } from "../../src/config/service-name.ts"
import { api, produce } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts"
import { readiness, until } from "../support/readiness.ts"

const tenant = "stuck"
const rewardId = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
const breadRule = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
const purchase = (userId: string) => ({ tenant, product: "bread", amount: 20, userId, eventId: `stuck-${userId}` })

// The stall bound is far below every database bound, so a database that stops answering shows up
// as stuck consumers first; without the supervisor's watchdog they would wait for as long as it.
const env = {
  KAFKA_CONSUMER_STALL_TIMEOUT_MS: "2000",
  DATABASE_CONNECT_TIMEOUT_MS: "20000",
  DATABASE_STATEMENT_TIMEOUT_MS: "25000",
  DATABASE_CALL_TIMEOUT_MS: "30000",
  LOG_LEVEL: "error"
}

describe("a consumer stuck on a database that stopped answering (a wedged proxy in front of PostgreSQL)", () => {
  let database: TestDatabase
  let proxy: TcpProxy
  let lt: LoyalteaProcess
  const http = () => api(lt)
  const failure = (what: string) => `${what}\n--- loyaltea output ---\n${lt.output().slice(-20_000)}`

  beforeAll(async () => {
    database = await createTestDatabase()
    const url = new URL(database.url)
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) })
    url.port = String(proxy.port)
    lt = await spawnLoyaltea({ ...env, DATABASE_URL: url.toString() })
    await waitStarted(lt)
    await http().create("user", "/tenants", { id: tenant, name: "Stuck" })
    await http().create("reward", "/rewards/", { tenant, reward_id: rewardId, reward_points: 1 })
    await http().create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: breadRule, name: "bread", product: "bread", amount: 10 })
    await http().create("campaign", "/campaign", { tenant, name: "every loaf", fulfillments: [breadRule], rewards: [rewardId] })
  }, 90_000)
  afterAll(async () => {
    await lt?.stop()
    await proxy?.close()
    await database?.drop()
  }, 60_000)

  test("is reported stuck by /ready (503), restarted by its supervisor, and resumes once the database answers, crediting exactly once", async () => {
    const brokers = `127.0.0.1:${lt.ports.broker}`
    await produce(brokers, "buy", [purchase("before")])
    expect(await until(() => http().balances(tenant), (b) => b.before === 1, 60_000)).toEqual({ before: 1 })

    proxy.freeze({ newConnections: true })
    await produce(brokers, "buy", [purchase("during")])
    const stuck = await until(
      () => readiness(lt.ports.fulfillment),
      (r) => r.status === 503 && ["stalled", "restarting"].includes((r.body.consumers as { status: string }).status),
      30_000
    )
    if (!stuck) throw new Error(failure("/ready never reported the stuck consumer"))
    expect(stuck.status).toBe(503)
    expect(stuck.body.reason).toContain("consumer loyaltea-fulfillment")
    expect(stuck.body.reason).toContain("made no progress")

    proxy.thaw()
    const credited = await until(() => http().balances(tenant), (b) => b.during === 1, 120_000)
    if (credited?.during !== 1) throw new Error(failure("the purchase sent while the database hung was never credited"))
    for (const service of apiServiceNames) {
      const ready = await until(() => readiness(lt.ports[service]), (r) => r.status === 200, 90_000)
      if (ready?.status !== 200) throw new Error(failure(`${service} never became ready again: ${JSON.stringify(ready?.body)}`))
    }
    // Replays of the interrupted batches changed nothing.
    expect(await http().balances(tenant)).toEqual({ before: 1, during: 1 })
    expect(await lt.stop()).toBe(0)
  }, 300_000)
})
