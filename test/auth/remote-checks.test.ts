import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases } from "../../src/actors/user/user-use-cases.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { LruCache } from "../../src/auth/lru-cache.ts"
import { anonymousApp, request } from "../support/app.ts"
import { remoteUseCasesRuntime, useCasesRuntime } from "../support/layers.ts"
import { freePort } from "../support/ports.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }

/** The user service on a real port, so that another "process" reaches it over HTTP, and can lose it. */
const serveUserService = async (app: AnyElysia) => {
  const port = await freePort()
  const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: (request) => app.handle(request) })
  return { url: `http://127.0.0.1:${port}/`, stop: () => server.stop(true) }
}

describe("credentials checked remotely, when the user service is out of reach", () => {
  let database: TestDatabase
  let userRuntime: ReturnType<typeof useCasesRuntime<never>>
  let user: AnyElysia
  let userServer: Awaited<ReturnType<typeof serveUserService>>
  const runtimes: Array<{ dispose(): Promise<void> }> = []

  const login = async () => {
    const response = await request(user, "POST", "/auth/login", { username: "root", password: rootPassword })
    return { authorization: `Bearer ${((await response.json()) as { accessToken: string }).accessToken}` }
  }
  const createKey = async (headers: Record<string, string>) => {
    const response = await request(user, "POST", "/api-keys", { name: "shop", tenant: "shop", scopes: ["read"] }, headers)
    return { "x-api-key": ((await response.json()) as { key: string }).key }
  }
  /** The reward service as a process without the user service runs it. */
  const rewardApp = async (userServiceUrl: string) => {
    const runtime = remoteUseCasesRuntime(database.url, userServiceUrl, rewardService.useCases as never)
    runtimes.push(runtime)
    return anonymousApp(runtime, "reward", rewardService.routes as never)
  }
  const rewards = (app: AnyElysia, headers: Record<string, string>) => request(app, "GET", "/rewards/?tenant=shop", undefined, headers)

  beforeAll(async () => {
    database = await createTestDatabase()
    userRuntime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings))) as never
    user = await anonymousApp(userRuntime, "user", userRoutes as never)
    userServer = await serveUserService(user)
    await request(user, "POST", "/tenants", { id: "shop", name: "Shop" }, await login())
  })
  afterAll(async () => {
    userServer?.stop()
    for (const runtime of runtimes) await runtime.dispose()
    await userRuntime?.dispose()
    await database?.drop()
  })

  test("with the user service gone, cached keys keep verifying tokens and cached API keys keep working; anything uncached is 503 with Retry-After", async () => {
    const admin = await login()
    const later = await login()
    const seenKey = await createKey(admin)
    const unseenKey = await createKey(admin)
    const reward = await rewardApp(userServer.url)
    expect((await rewards(reward, admin)).status).toBe(200)
    expect((await rewards(reward, seenKey)).status).toBe(200)

    userServer.stop()
    expect((await request(user, "GET", "/health")).status).toBe(200)
    // The JWKS fetched for the first token verifies every token signed by its key, the new one too.
    expect((await rewards(reward, admin)).status).toBe(200)
    expect((await rewards(reward, later)).status).toBe(200)
    expect((await rewards(reward, seenKey)).status).toBe(200)
    // What the process has never seen cannot be told valid or not: come back later, not "unauthorized".
    const refused = await rewards(reward, unseenKey)
    expect(refused.status).toBe(503)
    expect(refused.headers.get("retry-after")).toBe("5")
    expect(refused.headers.get("content-type")).toStartWith("application/problem+json")
    expect(await refused.json()).toEqual({
      type: "urn:loyaltea:problem:unavailable",
      title: "Service Unavailable",
      status: 503,
      detail: "the credential cannot be checked right now; retry",
      error: "Unavailable",
      message: "the credential cannot be checked right now; retry"
    })
    // A token that is not even a JWT is still the caller's fault.
    expect((await rewards(reward, { authorization: "Bearer not-a-jwt" })).status).toBe(401)
    expect((await rewards(reward, {})).status).toBe(401)
  })

  test("a process that never reached the user service answers 503 with Retry-After to tokens and keys, not 401", async () => {
    const admin = await login()
    const key = await createKey(admin)
    const reward = await rewardApp(`http://127.0.0.1:${await freePort()}/`)
    for (const headers of [admin, key]) {
      const response = await rewards(reward, headers)
      expect(response.status).toBe(503)
      expect(response.headers.get("retry-after")).toBe("5")
      expect(((await response.json()) as { error: string }).error).toBe("Unavailable")
    }
  })

  test("an introspection answering 5xx is 503, not 401", async () => {
    const port = await freePort()
    const broken = Bun.serve({ port, hostname: "127.0.0.1", fetch: () => new Response("oops", { status: 500 }) })
    try {
      const reward = await rewardApp(`http://127.0.0.1:${port}/`)
      const response = await rewards(reward, { "x-api-key": `lt_${"0".repeat(32)}_${"a".repeat(43)}` })
      expect(response.status).toBe(503)
      expect(response.headers.get("retry-after")).toBe("5")
    } finally {
      broken.stop(true)
    }
  })
})

describe("the remote API-key cache's bound", () => {
  test("holds at most its capacity, evicting the least recently used entry", () => {
    const cache = new LruCache<string, number>(3)
    for (const [key, value] of [["a", 1], ["b", 2], ["c", 3]] as const) cache.set(key, value)
    expect(cache.get("a")).toBe(1)
    cache.set("d", 4)
    expect(cache.size).toBe(3)
    expect(cache.get("b")).toBeUndefined()
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual([1, 3, 4])
    for (let i = 0; i < 1000; i++) cache.set(`junk-${i}`, i)
    expect(cache.size).toBe(3)
  })
})
