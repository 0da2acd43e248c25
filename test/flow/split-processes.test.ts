import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { serviceNames } from "../../src/config/service-name.ts"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, kcatProduce } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { freePorts, spawnLoyaltea, waitStarted, type LoyalteaProcess } from "../support/process.ts"

describe("the same flow split over four processes", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  const processes: Array<LoyalteaProcess> = []

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess()
  }, 30_000)
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()))
    await broker?.stop()
    await database?.drop()
  })

  test("one process per service, sharing a standalone broker and PostgreSQL, credits the original purchase", async () => {
    const ports = await freePorts()
    const shared = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.address,
      CAMPAIGN_PORT: String(ports.campaign),
      REWARD_PORT: String(ports.reward),
      FULFILLMENT_PORT: String(ports.fulfillment),
      USER_PORT: String(ports.user),
      // Processes without the user service check credentials with it over HTTP.
      LOYALTEA_USER_SERVICE_URL: `http://127.0.0.1:${ports.user}/`
    }
    for (const service of serviceNames) processes.push(await spawnLoyaltea({ ...shared, LOYALTEA_SERVICES: service }))
    await Promise.all(processes.map((p) => waitStarted(p)))
    const http = api({ ports })
    await http.create("user", "/tenants", { id: "meiwei", name: "Meiwei Bakery" })
    await http.create("reward", "/rewards/", { tenant: "meiwei", reward_id: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", reward_points: 100.0 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant: "meiwei", fulfillment_id: "7bed8bf6-995b-450d-8417-1c368709e1e3", name: "bread", product: "bread", amount: 100 })
    await http.create("campaign", "/campaign", { tenant: "meiwei", name: "bread", fulfillments: ["7bed8bf6-995b-450d-8417-1c368709e1e3"], rewards: ["0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"] })
    await kcatProduce(broker.address, "buy", ['{"tenant": "meiwei", "product": "bread", "amount": 101, "userId": "0e41cc11-5e54-448b-a6ce-9c9a855ad202"}'])
    const balances = await eventually(() => http.balances("meiwei"), (b) => b["0e41cc11-5e54-448b-a6ce-9c9a855ad202"] === 100, 60_000)
    expect(balances).toEqual({ "0e41cc11-5e54-448b-a6ce-9c9a855ad202": 100 })
  }, 120_000)
})
