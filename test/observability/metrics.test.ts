import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { api, eventually, produce } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"
import { find, parseExposition } from "../support/prometheus.ts"

const rewardId = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
const fulfillmentId = "3c9e1f4a-7b2d-4c8e-a1f6-9d0b5e2a7c41"

describe("/metrics", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  // A webhook receiver that is down: the credit's delivery stays in the backlog, retrying.
  const receiver = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("down", { status: 500 }) })
  const scrape = async (port: number) => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4")
    return parseExposition(await response.text())
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, LOYALTEA_WEBHOOK_ALLOW_PRIVATE: "true" })
    await waitStarted(lt)
    const http = api(lt)
    await http.create("user", "/tenants", { id: "meiwei", name: "Meiwei Bakery" })
    await http.create("reward", "/rewards/", { tenant: "meiwei", reward_id: rewardId, reward_points: 100 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant: "meiwei", fulfillment_id: fulfillmentId, name: "bread", product: "bread", amount: 100 })
    await http.create("campaign", "/campaign", { tenant: "meiwei", name: "bread lovers", fulfillments: [fulfillmentId], rewards: [rewardId] })
    await http.create("reward", "/webhooks", { tenant: "meiwei", url: `http://127.0.0.1:${receiver.port}/hook`, events: ["credited"] })
  }, 90_000)
  afterAll(async () => {
    await lt?.stop()
    receiver.stop(true)
    await database?.drop()
  })

  test("every port answers the Prometheus text format with the flow's consumers, lag, outbox, transactions and HTTP requests", async () => {
    const brokers = `127.0.0.1:${lt.ports.broker}`
    await produce(brokers, "buy", [
      { tenant: "meiwei", product: "bread", amount: 101, userId: "ada", eventId: "m-1" },
      { tenant: "meiwei", product: "bread", amount: 101, userId: "ada", eventId: "m-1" },
      "{not json"
    ])
    const balance = () => api(lt).balances("meiwei").then((b) => b.ada ?? 0)
    expect(await eventually(balance, (points) => points === 100)).toBe(100)

    // Counters move once the batches are done; lag is read from Kafka at each scrape.
    const metrics = await eventually(() => scrape(lt.ports.reward), (m) =>
      find(m, "loyaltea_events_total", { group: "loyaltea-reward", topic: "reward", outcome: "applied" }).some((s) => s.value >= 1) &&
      find(m, "loyaltea_consumer_lag", { group: "loyaltea-fulfillment", topic: "buy" }).length > 0 &&
      find(m, "loyaltea_consumer_lag", { group: "loyaltea-fulfillment", topic: "buy" }).every((s) => s.value === 0) &&
      find(m, "loyaltea_outbox_backlog").every((s) => s.value === 0))

    const lagOf = find(metrics, "loyaltea_consumer_lag").map((s) => `${s.labels.group} ${s.labels.topic}/${s.labels.partition}=${s.value}`)
    expect(lagOf.filter((line) => !line.endsWith("=0"))).toEqual([])
    expect(lagOf.some((line) => line.startsWith("loyaltea-fulfillment buy/"))).toBe(true)
    expect(metrics.types.get("loyaltea_events_total")).toBe("counter")
    expect(metrics.types.get("loyaltea_http_request_duration_seconds")).toBe("histogram")
    const buy = (outcome: string) => find(metrics, "loyaltea_events_total", { group: "loyaltea-fulfillment", topic: "buy", outcome })[0]?.value
    expect([buy("applied"), buy("duplicate"), buy("dead_lettered")]).toEqual([1, 1, 1])
    expect(find(metrics, "loyaltea_batch_step_duration_seconds_count", { group: "loyaltea-reward", step: "apply" })[0]?.value).toBeGreaterThan(0)
    expect(find(metrics, "loyaltea_db_transaction_duration_seconds_count", { outcome: "commit" })[0]?.value).toBeGreaterThan(0)
    for (const service of ["campaign", "reward", "fulfillment", "user"]) {
      expect(`${service} ${find(metrics, "loyaltea_outbox_backlog", { service }).map((s) => s.value)}`).toBe(`${service} 0`)
    }
    // Routes by template: the balance read is one series whatever the user.
    const reads = find(metrics, "loyaltea_http_request_duration_seconds_count", { service: "reward", method: "GET", route: "/user-rewards/", status: "200" })
    expect(reads[0]?.value).toBeGreaterThan(0)
    expect(metrics.samples.some((s) => Object.values(s.labels).some((v) => v === "ada" || v === "meiwei"))).toBe(false)
    expect(find(metrics, "loyaltea_process_resident_memory_bytes")[0]?.value).toBeGreaterThan(0)
    // The heap totals, not the per-space census that stops the process for every scrape under Bun.
    expect(find(metrics, "loyaltea_nodejs_heap_size_used_bytes")[0]?.value).toBeGreaterThan(0)
    expect(metrics.samples.filter((s) => s.name.startsWith("loyaltea_nodejs_heap_space_"))).toEqual([])

    // The embedded broker counts the requests it served, by API.
    const brokerRequests = (api: string) => find(metrics, "loyaltea_broker_requests_total", { api })[0]?.value ?? 0
    expect(brokerRequests("Produce")).toBeGreaterThan(0)
    expect(brokerRequests("Fetch")).toBeGreaterThan(0)
    expect(metrics.types.get("loyaltea_broker_requests_total")).toBe("counter")

    // The credit's webhook delivery fails against the receiver: one pending, and its age grows.
    const backlog = await eventually(() => scrape(lt.ports.reward), (m) =>
      find(m, "loyaltea_webhook_backlog").reduce((sum, s) => sum + s.value, 0) === 1 && (find(m, "loyaltea_webhook_oldest_pending_seconds")[0]?.value ?? 0) > 0)
    expect(find(backlog, "loyaltea_webhook_backlog").map((s) => s.labels.state).sort()).toEqual(["due", "retrying"])

    // The user service's port answers too (the same process).
    expect(find(await scrape(lt.ports.user), "loyaltea_http_request_duration_seconds_count", { service: "user", route: "/tenants" }).length).toBeGreaterThan(0)
  }, 90_000)
})
