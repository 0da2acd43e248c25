import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Layer, Logger, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const alicePassword = "alice-correct-horse"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: true, trustedProxies: 1 }

describe("login throttling", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases>>
  let app: AnyElysia
  let clock = Date.now()
  const logLines: Array<string> = []
  const capture = Logger.map(Logger.formatJson, (line) => void logLines.push(line))
  const login = (username: string, password: string, address: string) =>
    request(app, "POST", "/auth/login", { username, password }, { "x-forwarded-for": address })

  beforeAll(async () => {
    database = await createTestDatabase()
    const throttle = { perUsername: { max: 3, windowMs: 60_000 }, perAddress: { max: 5, windowMs: 60_000 }, now: () => clock }
    runtime = useCasesRuntime(database.url, Layer.merge(userUseCases({ throttle }, Layer.succeed(AuthSettings, settings)), Logger.layer([capture])))
    app = await anonymousApp(runtime, "user", userRoutes)
    const root = (await (await login("root", rootPassword, "10.9.9.9")).json()) as { accessToken: string }
    const auth = { authorization: `Bearer ${root.accessToken}` }
    expect((await request(app, "POST", "/tenants", { id: "shop", name: "Shop" }, auth)).status).toBe(201)
    for (const username of ["alice", "bob"]) {
      const created = await request(app, "POST", "/operators", { username, password: alicePassword, role: "tenant-admin", tenant: "shop" }, auth)
      expect(created.status).toBe(201)
    }
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("after too many failures for a username, even the right password gets 429 with Retry-After, until the window slides", async () => {
    for (const address of ["10.0.1.1", "10.0.1.2", "10.0.1.3"]) expect((await login("alice", "wrong-password-1", address)).status).toBe(401)
    const blocked = await login("alice", alicePassword, "10.0.1.4")
    expect(blocked.status).toBe(429)
    expect(await blocked.json()).toMatchObject({ error: "TooManyRequests" })
    const retryAfter = Number(blocked.headers.get("retry-after"))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    clock += retryAfter * 1000
    expect((await login("alice", alicePassword, "10.0.1.4")).status).toBe(200)
  })

  test("a successful login resets the username's count", async () => {
    for (let round = 0; round < 2; round++) {
      for (const address of ["10.0.2.1", "10.0.2.2"]) expect((await login("bob", "wrong-password-1", address)).status).toBe(401)
      expect((await login("bob", alicePassword, "10.0.2.3")).status).toBe(200)
    }
  })

  test("too many failures from one address block it (the entry the proxy appended) for every username, other addresses not", async () => {
    for (let i = 0; i < 5; i++) expect((await login(`sprayed-${i}`, "wrong-password-1", "10.0.3.1")).status).toBe(401)
    const blocked = await login("root", rootPassword, "172.16.0.1, 10.0.3.1")
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0)
    expect((await login("root", rootPassword, "10.0.3.2")).status).toBe(200)
  })

  test("a client that writes its own X-Forwarded-For entries in front of the proxy's does not escape throttling", async () => {
    const statuses: Array<number> = []
    for (let i = 0; i < 8; i++) statuses.push((await login(`guess-${i}`, "wrong-password-1", `198.51.100.${i}, 10.0.6.${i}, 10.0.6.1`)).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429])
  })

  test("a burst of concurrent guesses gets no more tries than the limit", async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login("alice-burst", "wrong-password-1", `10.0.5.${i}`)))
    const statuses = answers.map((response) => response.status)
    expect(statuses.filter((status) => status === 401)).toHaveLength(3)
    expect(statuses.filter((status) => status === 429)).toHaveLength(7)
  })

  test("refusals are logged with username, address and reason, never with the password", async () => {
    logLines.length = 0
    const secret = "Sup3r-secret-guess!"
    expect((await login("carol", secret, "10.0.4.1")).status).toBe(401)
    for (let i = 0; i < 3; i++) await login("alice", secret, "10.0.4.2")
    expect((await login("alice", secret, "10.0.4.2")).status).toBe(429)
    const refusals = logLines.filter((line) => line.includes("login refused"))
    expect(refusals.length).toBe(5)
    expect(refusals[0]).toContain("carol")
    expect(refusals[0]).toContain("10.0.4.1")
    expect(refusals[0]).toContain("unknown username")
    expect(refusals.at(-1)).toContain("too many failed logins")
    for (const line of logLines) expect(line).not.toContain(secret)
  })
})
