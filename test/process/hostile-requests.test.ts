import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { serviceNames } from "../../src/config/service-name.ts"
import { maxJsonDepth } from "../../src/platform/bounded-json.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitHealthy, waitStarted } from "../support/process.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const deepArrays = "[".repeat(50_000) + "]".repeat(50_000)

describe("one process, four services, under hostile requests over TCP", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  const url = (service: (typeof serviceNames)[number], path: string) => `http://127.0.0.1:${lt.ports[service]}${path}`

  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({ DATABASE_URL: database.url })
    await waitStarted(lt)
    for (const service of serviceNames) await waitHealthy(lt, service)
  }, 90_000)
  afterAll(async () => {
    await lt?.stop()
    await database?.drop()
  })

  test("while 100 KB bodies nested 50,000 deep are refused on the public routes, /health on another port answers at once", async () => {
    const targets = [url("user", "/auth/login"), url("user", "/auth/refresh"), url("user", "/auth/introspect"), url("fulfillment", "/events/buy")]
    const refusals: Array<{ status: number; body: Record<string, unknown> }> = []
    const latencies: Array<number> = []
    let sending = true
    const attack = (async () => {
      // Four at a time for two seconds: every refusal must leave the loop free for the others.
      const until = performance.now() + 2000
      while (performance.now() < until) {
        const answers = await Promise.all(targets.map(async (target) => {
          const response = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: deepArrays })
          return { status: response.status, body: (await response.json()) as Record<string, unknown> }
        }))
        refusals.push(...answers)
      }
      sending = false
    })()
    while (sending) {
      const started = performance.now()
      const health = await fetch(url("campaign", "/health"))
      latencies.push(performance.now() - started)
      expect(health.status).toBe(200)
      await Bun.sleep(5)
    }
    await attack
    latencies.sort((a, b) => a - b)
    // Before, each such body held the one event loop for 8-24 s; now nothing waits behind it.
    expect(latencies.at(-1)!).toBeLessThan(1000)
    expect(latencies[Math.floor(latencies.length * 0.9)]!).toBeLessThan(100)
    expect(latencies.length).toBeGreaterThanOrEqual(20)
    expect(refusals.length).toBeGreaterThanOrEqual(20)
    for (const refusal of refusals) expect(refusal).toEqual({ status: 400, body: expect.objectContaining({ error: "BodyTooDeep", limit: maxJsonDepth }) })
  }, 120_000)
})
