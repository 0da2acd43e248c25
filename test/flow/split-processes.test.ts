import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readdirSync } from "node:fs"
import { type ApiServiceName, apiServiceNames } from "../../src/config/service-name.ts"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, kcatProduce } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { freePorts, spawnLoyaltea, testAdmin, waitStarted, type LoyalteaProcess } from "../support/process.ts"
import { fixtures, tenantA } from "../auth/route-fixtures.ts"

// README, "One process or many": a revocation reaches the processes without the user service
// within one poll (LOYALTEA_REVOCATION_POLL_MS, 1 s) and one request to it (at most 2 s).
const revocationBound = 3_000
const others = ["campaign", "reward", "fulfillment"] as const
const json = { "content-type": "application/json" }

describe("the same flow split over four processes", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let ports: Awaited<ReturnType<typeof freePorts>>
  let sharedEnv: Record<string, string> = {}
  const processes: Partial<Record<(typeof apiServiceNames)[number], LoyalteaProcess>> = {}

  const call = async (service: keyof typeof ports, method: string, path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${ports[service]}${path}`, { method, headers: { ...json, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })
  const login = async (username: string, password: string) => {
    const response = await call("user", "POST", "/auth/login", { username, password }, {})
    expect(response.status).toBe(200)
    return (await response.json()) as { accessToken: string; refreshToken: string; operator: { id: string } }
  }
  /** A write each service without the user service accepts from a tenant admin of `shop`. */
  const writes: Record<(typeof others)[number], { path: string; body: unknown }> = {
    campaign: { path: "/campaign", body: { tenant: "shop", name: "c", fulfillments: [crypto.randomUUID()], rewards: [crypto.randomUUID()] } },
    reward: { path: "/rewards/", body: { tenant: "shop", reward_points: 1 } },
    fulfillment: { path: "/tag-fulfillments/", body: { tenant: "shop", name: "t", tag: "t" } }
  }
  const write = (service: (typeof others)[number], token: string) => call(service, "POST", writes[service].path, writes[service].body, { authorization: `Bearer ${token}` })
  /** Every service without the user service refuses the token within the documented bound. */
  const refusedEverywhereWithin = async (token: string) => {
    const started = performance.now()
    for (const service of others) {
      const status = await eventually(async () => (await write(service, token)).status, (s) => s === 401, 10_000)
      expect(`${service} → ${status}`).toBe(`${service} → 401`)
    }
    expect(performance.now() - started).toBeLessThan(revocationBound)
  }

  /** Every guarded route of the processes without the user service that does not answer the token 401 (as a list of them). */
  const notRefusedRoutes = async (token: string) => {
    const http = api({ ports })
    const create = async (service: string, path: string, body: unknown, idField: string) =>
      ((await http.create(service as ApiServiceName, path, body)) as Record<string, string>)[idField]!
    const wrong: Array<string> = []
    let walked = 0
    for (const service of others) {
      const document = (await (await call(service, "GET", "/swagger/json", undefined, {})).json()) as { paths: Record<string, Record<string, { "x-loyaltea-access"?: string }>> }
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          if (operation["x-loyaltea-access"] === "public") continue
          const fixture = await fixtures[`${method} ${path}`]!(create)
          const response = await call(service, method.toUpperCase(), fixture.path, fixture.body, { authorization: `Bearer ${token}` })
          walked++
          if (response.status !== 401) wrong.push(`${service}: ${method.toUpperCase()} ${path} → ${response.status}`)
        }
      }
    }
    return walked > 25 ? wrong : [`only ${walked} routes walked`]
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess()
    ports = await freePorts()
    const shared = sharedEnv = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.address,
      CAMPAIGN_PORT: String(ports.campaign),
      REWARD_PORT: String(ports.reward),
      FULFILLMENT_PORT: String(ports.fulfillment),
      USER_PORT: String(ports.user),
      // Processes without the user service check credentials with it over HTTP.
      LOYALTEA_USER_SERVICE_URL: `http://127.0.0.1:${ports.user}/`
    }
    for (const service of apiServiceNames) processes[service] = await spawnLoyaltea({ ...shared, LOYALTEA_SERVICES: service })
    await Promise.all(Object.values(processes).map((p) => waitStarted(p)))
    // Started together, the others may have asked for the revocation list before the user service
    // listened: until their next try they answer tokens 503, as they should.
    const admin = await login(testAdmin.username, testAdmin.password)
    for (const service of others) {
      const ready = await eventually(() => write(service, admin.accessToken), (r) => r.status !== 503, 15_000)
      expect(ready.status).not.toBe(503)
    }
  }, 90_000)
  afterAll(async () => {
    await Promise.all(Object.values(processes).map((p) => p.stop()))
    await broker?.stop()
    await database?.drop()
  })

  test("one process per service, sharing a standalone broker and PostgreSQL, credits the original purchase", async () => {
    const http = api({ ports })
    await http.create("user", "/tenants", { id: "meiwei", name: "Meiwei Bakery" })
    await http.create("reward", "/rewards/", { tenant: "meiwei", reward_id: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", reward_points: 100.0 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant: "meiwei", fulfillment_id: "7bed8bf6-995b-450d-8417-1c368709e1e3", name: "bread", product: "bread", amount: 100 })
    await http.create("campaign", "/campaign", { tenant: "meiwei", name: "bread", fulfillments: ["7bed8bf6-995b-450d-8417-1c368709e1e3"], rewards: ["0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"] })
    await kcatProduce(broker.address, "buy", ['{"tenant": "meiwei", "product": "bread", "amount": 101, "userId": "0e41cc11-5e54-448b-a6ce-9c9a855ad202"}'])
    const balances = await eventually(() => http.balances("meiwei"), (b) => b["0e41cc11-5e54-448b-a6ce-9c9a855ad202"] === 100, 60_000)
    expect(balances).toEqual({ "0e41cc11-5e54-448b-a6ce-9c9a855ad202": 100 })
  }, 120_000)

  test("a console-only process opens no database: ready without one, and reaches the services through their APIs", async () => {
    const { DATABASE_URL: _unused, ...withoutDatabase } = sharedEnv
    const console = await spawnLoyaltea({ ...withoutDatabase, LOYALTEA_SERVICES: "console" })
    try {
      await waitStarted(console)
      const consolePort = console.ports.console
      const ready = await fetch(`http://127.0.0.1:${consolePort}/ready`)
      expect(ready.status).toBe(200)
      expect(((await ready.json()) as { database: unknown }).database).toEqual({ status: "not-used", mode: "none", pendingMigrations: [] })
      expect(console.output()).not.toMatch(/^ {2}database /m)
      // No embedded PostgreSQL was created in its data directory.
      expect(readdirSync(console.dataDir, { recursive: true }).map(String).filter((name) => name.endsWith("PG_VERSION"))).toEqual([])
      const admin = await login(testAdmin.username, testAdmin.password)
      const rewards = await fetch(`http://127.0.0.1:${consolePort}/api/reward/rewards/`, { headers: { authorization: `Bearer ${admin.accessToken}` } })
      expect(rewards.status).toBe(200)
    } finally {
      await console.stop()
    }
  }, 60_000)

  test("a disable or a logout in the user service reaches the processes without it within the documented bound", async () => {
    const http = api({ ports })
    await http.create("user", "/tenants", { id: "shop", name: "Shop" })
    // The route fixtures create tenant A's rows as the platform admin.
    await http.create("user", "/tenants", { id: tenantA, name: "Tenant A" })
    const password = "operator-password-1"
    for (const username of ["split-ops", "split-clerk"]) await http.create("user", "/operators", { username, password, role: "tenant-admin", tenant: "shop" })

    const ops = await login("split-ops", password)
    for (const service of others) expect((await write(service, ops.accessToken)).status).toBe(201)
    expect((await http.call("user", "DELETE", `/operators/${ops.operator.id}`)).status).toBe(204)
    await refusedEverywhereWithin(ops.accessToken)
    expect(await notRefusedRoutes(ops.accessToken)).toEqual([])

    const clerk = await login("split-clerk", password)
    for (const service of others) expect((await write(service, clerk.accessToken)).status).toBe(201)
    expect((await call("user", "POST", "/auth/logout", { refreshToken: clerk.refreshToken }, {})).status).toBe(204)
    await refusedEverywhereWithin(clerk.accessToken)
    const again = await login("split-clerk", password)
    for (const service of others) expect((await write(service, again.accessToken)).status).toBe(201)
  }, 60_000)

  test("with the user service stopped, a token whose keys are cached still works and an unchecked API key is 503 with Retry-After", async () => {
    const http = api({ ports })
    const admin = await login(testAdmin.username, testAdmin.password)
    const key = (await http.create("user", "/api-keys", { name: "never used", tenant: "shop", scopes: ["read"] })) as { key: string }
    expect((await call("reward", "GET", "/rewards/?tenant=shop", undefined, { authorization: `Bearer ${admin.accessToken}` })).status).toBe(200)

    expect(await processes.user!.stop()).toBe(0)
    for (const service of others) {
      expect((await call(service, "GET", "/health", undefined, {})).status).toBe(200)
      expect((await write(service, admin.accessToken)).status).toBe(201)
      const refused = await call(service, "GET", `${writes[service].path}?tenant=shop`, undefined, { "x-api-key": key.key })
      expect(`${service} → ${refused.status}`).toBe(`${service} → 503`)
      expect(refused.headers.get("retry-after")).toBe("5")
      expect(((await refused.json()) as { error: string }).error).toBe("Unavailable")
    }
  }, 60_000)
})
