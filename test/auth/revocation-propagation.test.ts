import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes, userService } from "../../src/actors/user/definition.ts"
import { userUseCases } from "../../src/actors/user/user-use-cases.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { anonymousApp, request } from "../support/app.ts"
import { eventually } from "../support/flow.ts"
import { remoteUseCasesRuntime, useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { freePort } from "../support/ports.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }
const password = "operator-password-1"
// The test configuration polls every 100 ms; a revocation must arrive well within a second.
const bound = 1_000

type Session = { accessToken: string; refreshToken: string; operator: { id: string } }

/**
 * Several "processes" over one database, each with its own revocation list: two of the user
 * service (its actors running, as in a real process), and one without it that follows the list
 * over HTTP.
 */
describe("revocations reach the other processes within the bound", () => {
  let database: TestDatabase
  const runtimes: Array<{ dispose(): Promise<void> }> = []
  let userA: AnyElysia
  let userB: AnyElysia
  let server: { url: string; stop(): void }
  let admin: Record<string, string>

  const userProcess = async () => {
    const useCases = userUseCases({}, Layer.succeed(AuthSettings, settings))
    const runtime = useCasesRuntime(database.url, userService.actors.pipe(Layer.provideMerge(useCases)) as typeof useCases)
    runtimes.push(runtime)
    return anonymousApp(runtime, "user", userRoutes)
  }
  const rewardProcess = async (auth: { revocationMaxStalenessMs?: number } = {}) => {
    const runtime = remoteUseCasesRuntime(database.url, server.url, rewardService.useCases as never, auth)
    runtimes.push(runtime)
    return anonymousApp(runtime, "reward", rewardService.routes as never)
  }
  const login = async (app: AnyElysia, username: string, pw = password) =>
    (await (await request(app, "POST", "/auth/login", { username, password: pw })).json()) as Session
  const newOperator = async (role = "tenant-admin") => {
    const username = `op-${crypto.randomUUID()}`
    expect((await request(userA, "POST", "/operators", { username, password, role, tenant: "shop" }, admin)).status).toBe(201)
    return username
  }
  const write = (app: AnyElysia, token: string) => request(app, "POST", "/rewards/", { tenant: "shop", reward_points: 1 }, { authorization: `Bearer ${token}` })
  const keyWrite = (app: AnyElysia, token: string) =>
    request(app, "POST", "/api-keys", { name: "k", tenant: "shop", scopes: ["read"] }, { authorization: `Bearer ${token}` })
  /** How long until `attempt` answers 401 (fails the test beyond `bound`). */
  const refusedWithin = async (attempt: () => Promise<Response>) => {
    const started = performance.now()
    const status = await eventually(async () => (await attempt()).status, (s) => s === 401, 5_000)
    expect(status).toBe(401)
    const elapsed = performance.now() - started
    expect(elapsed).toBeLessThan(bound)
    return elapsed
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    userA = await userProcess()
    userB = await userProcess()
    const port = await freePort()
    const served = Bun.serve({ port, hostname: "127.0.0.1", fetch: (r) => userA.handle(r) })
    server = { url: `http://127.0.0.1:${port}/`, stop: () => served.stop(true) }
    admin = { authorization: `Bearer ${(await login(userA, "root", rootPassword)).accessToken}` }
    expect((await request(userA, "POST", "/tenants", { id: "shop", name: "Shop" }, admin)).status).toBe(201)
    // Each runtime here has a broker of its own: the reward service learns the tenant as if from topic tenant.
    await registerTenantsIn(runtimes[0] as never, ["shop"])
  })
  afterAll(async () => {
    server?.stop()
    for (const runtime of runtimes.reverse()) await runtime.dispose()
    await database?.drop()
  })

  test("a disable made in one user-service process is refused by another, and by a process without the user service", async () => {
    const reward = await rewardProcess()
    const session = await login(userA, await newOperator())
    expect((await keyWrite(userB, session.accessToken)).status).toBe(201)
    expect((await write(reward, session.accessToken)).status).toBe(201)
    expect((await request(userA, "DELETE", `/operators/${session.operator.id}`, undefined, admin)).status).toBe(204)
    expect((await keyWrite(userA, session.accessToken)).status).toBe(401)
    await refusedWithin(() => request(userB, "GET", "/operators", undefined, { authorization: `Bearer ${session.accessToken}` }))
    await refusedWithin(() => write(reward, session.accessToken))
  })

  test("a logout in one process ends the session everywhere; the operator's next login works everywhere", async () => {
    const reward = await rewardProcess()
    const username = await newOperator()
    const session = await login(userB, username)
    expect((await write(reward, session.accessToken)).status).toBe(201)
    expect((await request(userB, "POST", "/auth/logout", { refreshToken: session.refreshToken })).status).toBe(204)
    await refusedWithin(() => write(reward, session.accessToken))
    await refusedWithin(() => keyWrite(userA, session.accessToken))
    const again = await login(userA, username)
    expect((await write(reward, again.accessToken)).status).toBe(201)
    expect((await keyWrite(userB, again.accessToken)).status).toBe(201)
  })

  test("a process whose list has not been brought up to date for too long answers tokens 503 until it is", async () => {
    const reward = await rewardProcess({ revocationMaxStalenessMs: 1_000 })
    const session = await login(userA, await newOperator())
    expect((await write(reward, session.accessToken)).status).toBe(201)
    server.stop()
    try {
      // Within the staleness limit the last list still counts...
      expect((await write(reward, session.accessToken)).status).toBe(201)
      // ...after it, a revocation might be missing: the token cannot be checked.
      const stale = await eventually(() => write(reward, session.accessToken), (r) => r.status === 503, 5_000)
      expect(stale.status).toBe(503)
      expect(stale.headers.get("retry-after")).toBe("5")
    } finally {
      const port = Number(new URL(server.url).port)
      const served = Bun.serve({ port, hostname: "127.0.0.1", fetch: (r) => userA.handle(r) })
      server = { url: server.url, stop: () => served.stop(true) }
    }
    // Once the user service answers again, so does the process (its retries back off to at most 5 s).
    const back = await eventually(() => write(reward, session.accessToken), (r) => r.status === 201, 10_000)
    expect(back.status).toBe(201)
  }, 30_000)
})
