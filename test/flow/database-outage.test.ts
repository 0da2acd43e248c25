import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Partitioners, type Producer } from "kafkajs"
import { apiServiceNames } from "../../src/config/service-name.ts"
import { api, kafkaClient } from "../support/flow.ts"
import { startPrivatePostgres, type PrivatePostgres } from "../support/private-postgres.ts"
import { spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"
import { balancesFor, startPurchaseStream, type Purchase } from "../support/purchase-stream.ts"
import { readiness, until } from "../support/readiness.ts"

const tenant = "outage"
const rewardId = "3c0a9d2e-1f4b-4e6a-9b8c-7d6e5f4a3b2c"
const breadRule = "8e7d6c5b-4a39-4f28-8e17-0d9c8b7a6f5e"
const points = 1
const users = Array.from({ length: 40 }, (_, i) => `shopper-${i}`)
// A few seconds each, and one longer than the consumers' Kafka session (10 s): their group
// forgets them while they wait for the database, and they must rejoin.
const outagesMs = [2000, 3000, 12_000, 2000, 3000, 4000]

describe("PostgreSQL crashing (pg_ctl stop -m immediate) and coming back under a stream of purchases", () => {
  let pg: PrivatePostgres
  let lt: LoyalteaProcess
  let apiKey: string
  let probes: Producer
  const probed: Array<Purchase> = []
  const http = () => api(lt)
  const brokers = () => `127.0.0.1:${lt.ports.broker}`
  const failure = (what: string) => `${what}\n--- loyaltea output ---\n${lt.output().slice(-20_000)}`

  beforeAll(async () => {
    pg = await startPrivatePostgres()
    lt = await spawnLoyaltea({ DATABASE_URL: pg.url, LOG_LEVEL: "warn" })
    await waitStarted(lt)
    await http().create("user", "/tenants", { id: tenant, name: "Outage Bakery" })
    await http().create("reward", "/rewards/", { tenant, reward_id: rewardId, reward_points: points })
    await http().create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: breadRule, name: "bread", product: "bread", amount: 10 })
    await http().create("campaign", "/campaign", { tenant, name: "every loaf", fulfillments: [breadRule], rewards: [rewardId] })
    apiKey = ((await http().create("user", "/api-keys", { name: "till", tenant, scopes: ["events:write"] })) as { key: string }).key
    probes = kafkaClient(brokers()).producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await probes.connect()
  }, 120_000)
  afterAll(async () => {
    await probes?.disconnect()
    await lt?.stop()
    await pg?.destroy()
  }, 60_000)

  test(`${outagesMs.length} crashes of ${outagesMs.map((ms) => ms / 1000).join(", ")} s: consumption resumes after each, and every purchase is credited exactly once`, async () => {
    const stream = await startPurchaseStream({ tenant, users, brokers: brokers(), ingestUrl: `http://127.0.0.1:${lt.ports.fulfillment}/events/buy`, apiKey })
    // One purchase through each door, on users of their own: both must be credited for the
    // system to count as having resumed (ingestion with its API-key check, and the three consumers).
    const probe = async (name: string) => {
      const viaKafka: Purchase = { tenant, product: "bread", amount: 50, userId: `probe-kafka-${name}`, eventId: `probe-kafka-${name}` }
      const viaHttp: Purchase = { tenant, product: "bread", amount: 50, userId: `probe-http-${name}`, eventId: `probe-http-${name}` }
      await probes.send({ topic: "buy", acks: -1, messages: [{ key: `${tenant}:${viaKafka.userId}`, value: JSON.stringify(viaKafka) }] }).catch((error: Error) => {
        throw new Error(failure(`producing after ${name} failed: ${error.message}`))
      })
      probed.push(viaKafka)
      const accepted = await until(
        () => fetch(`http://127.0.0.1:${lt.ports.fulfillment}/events/buy`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": apiKey },
          body: JSON.stringify(viaHttp),
          signal: AbortSignal.timeout(5000)
        }).then((response) => response.status),
        (status) => status === 202,
        60_000
      )
      if (accepted !== 202) throw new Error(failure(`POST /events/buy was still refused 60 s after ${name}`))
      probed.push(viaHttp)
      const credited = await until(() => http().balances(tenant), (b) => b[viaKafka.userId] === points && b[viaHttp.userId] === points, 90_000)
      if (credited?.[viaKafka.userId] !== points || credited?.[viaHttp.userId] !== points) throw new Error(failure(`the purchases sent after ${name} were never credited`))
    }
    await probe("start")
    for (const [cycle, outageMs] of outagesMs.entries()) {
      await pg.stop("immediate")
      await Bun.sleep(outageMs)
      await pg.start()
      await probe(`crash-${cycle + 1}`)
    }
    await stream.stop()
    const expected = balancesFor([...stream.accepted(), ...probed], points)
    const settled = await until(() => http().balances(tenant), (balances) => Bun.deepEquals(balances, expected), 120_000)
    expect(settled).toEqual(expected)
    // Nothing arrives late: the outbox relays and replays leave the balances as they are.
    await Bun.sleep(6000)
    expect(await http().balances(tenant)).toEqual(expected)
    // The outages did reach ingestion (its API-key check answered 503 while the database was away),
    // and it accepted purchases again after each: the stream could only stop once they all were.
    expect(stream.refusals()).toBeGreaterThan(0)
  }, 600_000)

  test("/ready is 503 naming the database while it is down, and 200 once it is back", async () => {
    await pg.stop("immediate")
    for (const service of apiServiceNames) {
      const down = await until(() => readiness(lt.ports[service]), (r) => r.status === 503, 20_000)
      expect(down?.status).toBe(503)
      expect(down?.body).toMatchObject({ status: "not-ready", database: { status: "unreachable" } })
      expect(down?.body.reason).toStartWith("database unreachable")
    }
    await pg.start()
    for (const service of apiServiceNames) {
      const up = await until(() => readiness(lt.ports[service]), (r) => r.status === 200, 60_000)
      expect(up?.status).toBe(200)
      expect(up?.body).toMatchObject({ status: "ready", database: { status: "ok" } })
    }
  }, 180_000)

  test("the process still stops cleanly within its shutdown bound", async () => {
    const code = await lt.stop()
    if (code !== 0 || lt.output().includes("graceful shutdown exceeded")) throw new Error(failure(`the process ended with ${code}`))
  }, 30_000)
})
