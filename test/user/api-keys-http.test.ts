import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import postgres from "postgres"
import { ApiKeys } from "../../src/actors/user/api-key-service.ts"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }
const password = "operator-password-1"

type CreatedKey = { id: string; key: string; tenant: string; scopes: Array<string>; name: string }

describe("API keys", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases>>
  let app: AnyElysia
  const tokens: Record<string, Record<string, string>> = {}
  const as = (who: string) => tokens[who]!
  const tokenOf = async (username: string, pw: string) => {
    const body = (await (await request(app, "POST", "/auth/login", { username, password: pw })).json()) as { accessToken: string }
    return { authorization: `Bearer ${body.accessToken}` }
  }
  const createKey = (who: string, body: unknown) => request(app, "POST", "/api-keys", body, as(who))

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    app = await anonymousApp(runtime, "user", userRoutes)
    tokens.root = await tokenOf("root", rootPassword)
    for (const tenant of ["shop", "other"]) expect((await request(app, "POST", "/tenants", { id: tenant, name: tenant }, as("root"))).status).toBe(201)
    for (const [username, role, tenant] of [["shop-admin", "tenant-admin", "shop"], ["shop-viewer", "tenant-viewer", "shop"], ["other-admin", "tenant-admin", "other"]]) {
      expect((await request(app, "POST", "/operators", { username, password, role, tenant }, as("root"))).status).toBe(201)
      tokens[username!] = await tokenOf(username!, password)
    }
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a tenant admin creates a key shown once; it verifies in process and by introspection; revoked, it stops at once", async () => {
    const response = await createKey("shop-admin", { name: "shop backend", scopes: ["events:write"] })
    expect(response.status).toBe(201)
    const created = (await response.json()) as CreatedKey
    expect(created).toMatchObject({ name: "shop backend", tenant: "shop", scopes: ["events:write"] })
    expect(created.key).toMatch(new RegExp(`^lt_${created.id.replaceAll("-", "")}_[A-Za-z0-9_-]{43}$`))
    const listed = await (await request(app, "GET", "/api-keys", undefined, as("shop-admin"))).text()
    expect(listed).toContain(created.id)
    expect(listed).not.toContain(created.key.split("_")[2]!)

    const principal = await runtime.runPromise(Effect.flatMap(Effect.service(ApiKeys), (k) => k.verify(created.key)))
    expect(principal).toEqual({ kind: "api-key", keyId: created.id, tenant: "shop" as never, scopes: ["events:write"] })
    const introspected = await request(app, "POST", "/auth/introspect", { apiKey: created.key })
    expect(introspected.status).toBe(200)
    expect(await introspected.json()).toEqual({ keyId: created.id, tenant: "shop", scopes: ["events:write"] })
    expect((await request(app, "GET", "/auth/me", undefined, { "x-api-key": created.key })).status).toBe(200)

    const sql = postgres(database.url, { max: 1, onnotice: () => {} })
    try {
      const [row] = await sql`select key_hash, last_used_at from users.api_keys where id = ${created.id}`
      expect(row!.key_hash).toBe(createHash("sha256").update(created.key).digest("hex"))
      expect(row!.last_used_at).not.toBeNull()
    } finally {
      await sql.end()
    }

    expect((await request(app, "DELETE", `/api-keys/${created.id}`, undefined, as("shop-admin"))).status).toBe(204)
    expect((await request(app, "POST", "/auth/introspect", { apiKey: created.key })).status).toBe(401)
    expect(await runtime.runPromise(Effect.flatMap(Effect.service(ApiKeys), (k) => k.verify(created.key)))).toBeUndefined()
    const after = (await (await request(app, "GET", "/api-keys", undefined, as("shop-admin"))).json()) as { apiKeys: Array<{ id: string; revokedAt: string | null }> }
    expect(after.apiKeys.find((k) => k.id === created.id)?.revokedAt).not.toBeNull()
  })

  test("a tampered, made-up or oversized key is refused without echoing it", async () => {
    const created = (await (await createKey("shop-admin", { name: "k", scopes: ["read"] })).json()) as CreatedKey
    const tampered = created.key.slice(0, -1) + (created.key.endsWith("A") ? "B" : "A")
    for (const apiKey of [tampered, "lt_nothing", "' or 1=1 --"]) {
      const response = await request(app, "POST", "/auth/introspect", { apiKey })
      expect(response.status).toBe(401)
      expect(await response.text()).not.toContain(apiKey)
    }
    expect((await request(app, "POST", "/auth/introspect", { apiKey: "x".repeat(201) })).status).toBe(422)
  })

  test("tenants stay apart: a tenant admin cannot create, see or revoke another tenant's keys; a viewer cannot create", async () => {
    const theirs = (await (await createKey("other-admin", { name: "theirs", scopes: ["read", "events:write"] })).json()) as CreatedKey
    expect((await createKey("shop-admin", { name: "x", tenant: "other", scopes: ["read"] })).status).toBe(403)
    expect((await createKey("shop-viewer", { name: "x", scopes: ["read"] })).status).toBe(403)
    const listed = (await (await request(app, "GET", "/api-keys", undefined, as("shop-admin"))).json()) as { apiKeys: Array<{ tenant: string }> }
    expect(listed.apiKeys.length).toBeGreaterThan(0)
    expect(listed.apiKeys.every((k) => k.tenant === "shop")).toBe(true)
    expect((await request(app, "GET", "/api-keys?tenant=other", undefined, as("shop-viewer"))).status).toBe(200)
    expect(((await (await request(app, "GET", "/api-keys?tenant=other", undefined, as("shop-viewer"))).json()) as { apiKeys: unknown[] }).apiKeys).toEqual([])
    expect((await request(app, "DELETE", `/api-keys/${theirs.id}`, undefined, as("shop-admin"))).status).toBe(404)
    expect((await request(app, "POST", "/auth/introspect", { apiKey: theirs.key })).status).toBe(200)
    // A key is not a way into key management.
    expect((await request(app, "GET", "/api-keys", undefined, { "x-api-key": theirs.key })).status).toBe(403)
  })

  test("the platform admin must name the tenant; scopes and names are checked", async () => {
    expect((await createKey("root", { name: "x", scopes: ["read"] })).status).toBe(422)
    expect((await createKey("root", { name: "x", tenant: "ghost", scopes: ["read"] })).status).toBe(422)
    expect((await createKey("root", { name: "x", tenant: "other", scopes: ["read"] })).status).toBe(201)
    for (const body of [{ name: "x", scopes: [] }, { name: "x", scopes: ["admin"] }, { name: "x", scopes: ["read", "read"] }, { name: "x".repeat(101), scopes: ["read"] }]) {
      expect((await createKey("shop-admin", body)).status).toBe(422)
    }
    expect((await request(app, "POST", "/api-keys", { name: "x", scopes: ["read"] })).status).toBe(401)
  })
})
