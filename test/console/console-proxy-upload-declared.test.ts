import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import postgres from "postgres"
import { api, eventually } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, testAdmin, waitStarted } from "../support/process.ts"

const tenant = "console-cap"
const cap = 64 * 1024

/**
 * An import through the console to a real reward service: the size the client declares goes on
 * with the body, so the service refuses an oversize one at once, reading none of it and starting no job.
 */
describe("the console passes an import's declared size on", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  let sql: ReturnType<typeof postgres>
  let token: string
  const throughConsole = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}, id = randomUUID()) =>
    fetch(`http://127.0.0.1:${lt.ports.console}/api/reward/imports/opening-balances?tenant=${tenant}&id=${id}`, {
      method: "POST",
      headers: { "content-type": "text/csv", authorization: `Bearer ${token}`, ...headers },
      body,
      duplex: "half",
      signal: AbortSignal.timeout(30_000)
    } as RequestInit)
  const jobs = async () => (await sql`select count(*)::int as n from reward.imports where tenant = ${tenant}`)[0]!.n as number

  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, LOG_LEVEL: "warn", LOYALTEA_IMPORT_MAX_BYTES: String(cap) })
    await waitStarted(lt)
    await api(lt).create("user", "/tenants", { id: tenant, name: tenant })
    sql = postgres(database.url, { max: 2, onnotice: () => {} })
    await eventually(async () => (await sql`select count(*)::int as n from reward.tenants where id = ${tenant}`)[0]!.n as number, (n) => n > 0, 20_000)
    const login = await fetch(`http://127.0.0.1:${lt.ports.user}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(testAdmin) })
    token = ((await login.json()) as { accessToken: string }).accessToken
  }, 90_000)
  afterAll(async () => {
    await sql?.end()
    await lt?.stop()
    await database?.drop()
  })

  test("a body under the cap is imported through the console", async () => {
    const answer = await throughConsole("userId,points\nsmall,1.5\n")
    expect(answer.status).toBe(201)
    expect(await answer.json()).toMatchObject({ tenant, status: "finished", applied: 1 })
  })

  test("a body declared over the cap is 413 with problem details, at once, and no job is started", async () => {
    const before = await jobs()
    const rows = `userId,points\n${Array.from({ length: 8000 }, (_, i) => `user-${i},1`).join("\n")}\n`
    expect(Buffer.byteLength(rows)).toBeGreaterThan(cap)
    const whole = await throughConsole(rows)
    expect(whole.status).toBe(413)
    expect(whole.headers.get("content-type")).toContain("application/problem+json")
    expect(await whole.json()).toMatchObject({ status: 413, error: "ImportTooLarge", limit: cap })

    // Declared at 10 MiB, of which one chunk is ever sent: only a refusal on the declared size can answer.
    const encoder = new TextEncoder()
    let sent = 0
    const stalled = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (sent++ === 0) controller.enqueue(encoder.encode("userId,points\nfirst,1\n"))
        else await new Promise(() => {})
      }
    }, { highWaterMark: 0 })
    const started = Date.now()
    const declared = await throughConsole(stalled, { "content-length": String(10 * 1024 * 1024) })
    expect(declared.status).toBe(413)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(await jobs()).toBe(before)
  }, 30_000)
})
