import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { serviceNames } from "../../src/config/service-name.ts"
import { isListening } from "../support/ports.ts"
import { spawnLoyaltea, waitHealthy, waitStarted } from "../support/process.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

describe("the loyaltea process", () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.drop()
  })

  test("two processes started at once against one empty database both come up, and stop cleanly on SIGTERM", async () => {
    const [a, b] = await Promise.all([spawnLoyaltea({ DATABASE_URL: database.url }), spawnLoyaltea({ DATABASE_URL: database.url })])
    for (const lt of [a, b]) {
      await waitStarted(lt)
      for (const service of serviceNames) await waitHealthy(lt, service)
    }
    for (const lt of [a, b]) {
      for (const service of serviceNames) {
        const health = await fetch(`http://127.0.0.1:${lt.ports[service]}/health`)
        expect(await health.json()).toEqual({ status: "ok", service })
        const ready = await fetch(`http://127.0.0.1:${lt.ports[service]}/ready`)
        expect(ready.status).toBe(200)
        const doc = (await (await fetch(`http://127.0.0.1:${lt.ports[service]}/swagger/json`)).json()) as { openapi: string }
        expect(doc.openapi).toStartWith("3.")
      }
    }
    const output = a.output() + b.output()
    expect(output.match(/applied migrations/g)?.length).toBe(1)
    expect(a.output()).toContain(`http://127.0.0.1:${a.ports.reward}/swagger`)
    expect(a.output()).toContain("external")
    expect(await a.stop("SIGTERM")).toBe(0)
    expect(await b.stop("SIGINT")).toBe(0)
    expect(await isListening(a.ports.campaign)).toBe(false)
  }, 60_000)

  test("LOYALTEA_SERVICES=reward runs only the reward service", async () => {
    const lt = await spawnLoyaltea({ DATABASE_URL: database.url, LOYALTEA_SERVICES: "reward" })
    await waitStarted(lt)
    expect(await isListening(lt.ports.reward)).toBe(true)
    expect(await isListening(lt.ports.campaign)).toBe(false)
    expect(await isListening(lt.ports.fulfillment)).toBe(false)
    expect(await isListening(lt.ports.user)).toBe(false)
    expect(await lt.stop()).toBe(0)
  }, 30_000)

  test.each([
    ["a malformed DATABASE_URL", "mysql://root@127.0.0.1/x", "not a postgres:// or postgresql:// URL"],
    ["an unreachable database", "postgres://postgres:s3cret@127.0.0.1:1/loyaltea", "cannot use the database postgres://postgres@127.0.0.1:1/loyaltea"]
  ])("%s stops start-up with one clear line and a non-zero exit", async (_, url, message) => {
    const lt = await spawnLoyaltea({ DATABASE_URL: url })
    expect(await lt.exited).not.toBe(0)
    const lines = lt.output().trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toStartWith("loyaltea: cannot start:")
    expect(lines[0]).toContain(message)
    expect(lt.output()).not.toContain("s3cret")
  }, 30_000)

  test.each([
    ["a short LOYALTEA_ADMIN_PASSWORD", { LOYALTEA_ADMIN_PASSWORD: "short" }, "invalid configuration: LOYALTEA_ADMIN_PASSWORD: must be 12 to 200 characters"],
    ["KAFKA_SSL with the embedded broker", { KAFKA_SSL: "true" }, "invalid configuration: KAFKA_SSL: the embedded broker speaks plain TCP only"]
  ])("%s exits at once with one line, before anything is started", async (_, env, message) => {
    const lt = await spawnLoyaltea(env)
    expect(await lt.exited).toBe(1)
    const lines = lt.output().trim().split("\n")
    expect(lines).toEqual([expect.stringContaining(`loyaltea: cannot start: ${message}`)])
    // Nothing was started: no migrations ran, no broker created a topic.
    expect(lt.output()).not.toContain("applied migrations")
    expect(lt.output()).not.toContain("created topics")
  }, 30_000)

  test("an invalid variable stops start-up naming it", async () => {
    const lt = await spawnLoyaltea({ LOYALTEA_SERVICES: "rewards" })
    expect(await lt.exited).not.toBe(0)
    expect(lt.output().trim()).toStartWith("loyaltea: cannot start: invalid configuration: LOYALTEA_SERVICES")
  }, 30_000)
})

describe("the embedded default", () => {
  test("starts with no DATABASE_URL, keeps its data, and refuses a second process on the same directory", async () => {
    const first = await spawnLoyaltea({ LOYALTEA_SERVICES: "reward" })
    await waitStarted(first)
    const ready = (await (await fetch(`http://127.0.0.1:${first.ports.reward}/ready`)).json()) as { database: { status: string; mode: string } }
    expect(ready.database).toMatchObject({ status: "ok", mode: "embedded" })
    expect(first.output()).toContain("embedded")

    const second = await spawnLoyaltea({ LOYALTEA_SERVICES: "reward" }, { dataDir: first.dataDir })
    expect(await second.exited).not.toBe(0)
    expect(second.output()).toContain("is in use by process")
    expect(await first.stop()).toBe(0)

    // After a clean stop the directory is free again, and what was migrated is still there.
    const third = await spawnLoyaltea({ LOYALTEA_SERVICES: "reward" }, { dataDir: first.dataDir })
    await waitStarted(third)
    expect(third.output()).not.toContain("applied migrations")
    expect(await third.stop()).toBe(0)
  }, 120_000)
})

describe("a second instance on ports in use", () => {
  test("is refused with one line naming the port, for HTTP and for the broker, and the first keeps answering", async () => {
    const first = await spawnLoyaltea({ LOYALTEA_SERVICES: "reward" })
    await waitStarted(first)
    const portEnv = { HTTP_HOST: "127.0.0.1", REWARD_PORT: String(first.ports.reward), LOYALTEA_BROKER_PORT: String(first.ports.broker) }

    // Same HTTP port, a broker port of its own (an external database: no data directory in common).
    const database = await createTestDatabase()
    try {
      const http = await spawnLoyaltea({ LOYALTEA_SERVICES: "reward", DATABASE_URL: database.url, REWARD_PORT: portEnv.REWARD_PORT })
      expect(await http.exited).toBe(1)
      expect(http.output()).toContain(`loyaltea: cannot start: the reward service cannot listen on port ${first.ports.reward}: another process listens there (set REWARD_PORT`)

      const broker = await spawnLoyaltea({ LOYALTEA_SERVICES: "reward", DATABASE_URL: database.url, LOYALTEA_BROKER_PORT: portEnv.LOYALTEA_BROKER_PORT })
      expect(await broker.exited).toBe(1)
      expect(broker.output()).toContain(`the embedded broker cannot listen on 127.0.0.1:${first.ports.broker}: another process listens there`)
    } finally {
      await database.drop()
    }
    // Every request still reaches the first process (no port sharing).
    for (let i = 0; i < 10; i++) expect((await fetch(`http://127.0.0.1:${first.ports.reward}/health`)).status).toBe(200)
    expect(await first.stop()).toBe(0)
  }, 90_000)
})
