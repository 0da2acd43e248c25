import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { serviceNames } from "../../src/config/service-name.ts"
import { type BrokerProcess, startBrokerProcess } from "../support/broker-process.ts"
import { freePort } from "../support/ports.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"
import { readiness, until } from "../support/readiness.ts"

const consuming = ["campaign", "reward", "fulfillment"] as const

describe("/ready while the Kafka broker is unreachable", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  const brokerDir = mkdtempSync(join(tmpdir(), "loyaltea-broker-"))
  let brokerPort: number
  const failure = (what: string) => `${what}\n--- loyaltea output ---\n${lt.output().slice(-10_000)}`

  beforeAll(async () => {
    database = await createTestDatabase()
    brokerPort = await freePort()
    broker = await startBrokerProcess({ dataDir: brokerDir, port: brokerPort })
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "fatal" })
    await waitStarted(lt)
  }, 60_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  }, 30_000)

  test("is 503 naming Kafka for every service that uses events, 200 for the user service, and 200 for all once the broker is back", async () => {
    for (const service of serviceNames) {
      const ready = await until(() => readiness(lt.ports[service]), (r) => r.status === 200, 30_000)
      expect(ready?.status).toBe(200)
    }
    const fulfillment = await readiness(lt.ports.fulfillment)
    expect(fulfillment.body).toMatchObject({ kafka: { status: "ok" }, consumers: { status: "ok" } })
    // Three members of the service's group, and the one that copies topic tenant.
    const groups = (fulfillment.body.consumers as { members: Array<{ group: string }> }).members.map((m) => m.group).sort()
    expect(groups).toEqual(["loyaltea-fulfillment", "loyaltea-fulfillment", "loyaltea-fulfillment", "loyaltea-fulfillment-tenants"])

    await broker.stop()
    for (const service of consuming) {
      const down = await until(() => readiness(lt.ports[service]), (r) => r.status === 503, 30_000)
      if (down?.status !== 503) throw new Error(failure(`${service} stayed ready without its broker`))
      expect(down.body).toMatchObject({ status: "not-ready", kafka: { status: "unreachable" }, database: { status: "ok" } })
      expect(down.body.reason).toContain("kafka unreachable")
    }
    const user = await readiness(lt.ports.user)
    expect(user.status).toBe(200)
    expect(user.body).toMatchObject({ status: "ready", kafka: { status: "not-used" }, consumers: { status: "none" } })

    broker = await startBrokerProcess({ dataDir: brokerDir, port: brokerPort })
    for (const service of serviceNames) {
      const up = await until(() => readiness(lt.ports[service]), (r) => r.status === 200, 90_000)
      if (up?.status !== 200) throw new Error(failure(`${service} did not become ready again: ${JSON.stringify(up?.body)}`))
    }
  }, 240_000)
})
