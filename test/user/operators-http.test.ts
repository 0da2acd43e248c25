import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { openApiErrors } from "../support/openapi.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }
const password = "operator-password-1"

type OperatorBody = { id: string; username: string; role: string; tenant: string | null }

describe("tenants and operators: who may do what", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases>>
  let app: AnyElysia
  const tokens: Record<string, Record<string, string>> = {}
  const as = (who: string) => tokens[who]!
  const tokenOf = async (username: string, pw: string) => {
    const response = await request(app, "POST", "/auth/login", { username, password: pw })
    expect(response.status).toBe(200)
    return { authorization: `Bearer ${((await response.json()) as { accessToken: string }).accessToken}` }
  }
  const createOperator = (who: string, body: Record<string, unknown>) => request(app, "POST", "/operators", { password, ...body }, as(who))
  const operatorsSeenBy = async (who: string, query = "") =>
    ((await (await request(app, "GET", `/operators${query}`, undefined, as(who))).json()) as { operators: Array<OperatorBody> }).operators

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    app = await anonymousApp(runtime, "user", userRoutes)
    tokens.root = await tokenOf("root", rootPassword)
    for (const tenant of ["shop", "other"]) expect((await request(app, "POST", "/tenants", { id: tenant, name: `The ${tenant}` }, as("root"))).status).toBe(201)
    for (const [username, role, tenant] of [["shop-admin", "tenant-admin", "shop"], ["shop-viewer", "tenant-viewer", "shop"], ["other-admin", "tenant-admin", "other"]]) {
      expect((await createOperator("root", { username, role, tenant })).status).toBe(201)
      tokens[username!] = await tokenOf(username!, password)
    }
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("the platform admin creates tenants and operators of any tenant, and admins without one", async () => {
    expect((await request(app, "POST", "/tenants", { id: "shop", name: "again" }, as("root"))).status).toBe(409)
    expect((await createOperator("root", { username: "second-root", role: "admin" })).status).toBe(201)
    expect((await createOperator("root", { username: "x1", role: "admin", tenant: "shop" })).status).toBe(422)
    expect((await createOperator("root", { username: "x2", role: "tenant-viewer" })).status).toBe(422)
    expect((await createOperator("root", { username: "x3", role: "tenant-viewer", tenant: "ghost" })).status).toBe(422)
    expect((await createOperator("root", { username: "shop-admin", role: "tenant-viewer", tenant: "shop" })).status).toBe(409)
    expect((await tokenOf("second-root", password)).authorization).toStartWith("Bearer ")
  })

  test("a tenant admin creates admins and viewers of its own tenant only, never platform admins", async () => {
    const created = await createOperator("shop-admin", { username: "shop-clerk", role: "tenant-viewer" })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ username: "shop-clerk", role: "tenant-viewer", tenant: "shop", disabledAt: null })
    expect((await createOperator("shop-admin", { username: "x4", role: "tenant-admin", tenant: "other" })).status).toBe(403)
    expect((await createOperator("shop-admin", { username: "x5", role: "admin" })).status).toBe(403)
    expect((await request(app, "POST", "/tenants", { id: "mine", name: "Mine" }, as("shop-admin"))).status).toBe(403)
  })

  test("a viewer reads but changes nothing", async () => {
    const refused = await createOperator("shop-viewer", { username: "x6", role: "tenant-viewer" })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: "Forbidden" })
    expect((await operatorsSeenBy("shop-viewer")).length).toBeGreaterThan(0)
    const viewer = (await operatorsSeenBy("shop-viewer")).find((o) => o.username === "shop-admin")!
    expect((await request(app, "DELETE", `/operators/${viewer.id}`, undefined, as("shop-viewer"))).status).toBe(403)
  })

  test("tenant operators see only their tenant's operators and tenant; the platform admin sees all", async () => {
    const shop = await operatorsSeenBy("shop-admin")
    expect(shop.every((o) => o.tenant === "shop")).toBe(true)
    expect(await operatorsSeenBy("shop-admin", "?tenant=other")).toEqual([])
    const all = await operatorsSeenBy("root")
    expect(all.map((o) => o.username)).toEqual(expect.arrayContaining(["root", "shop-admin", "other-admin"]))
    expect((await operatorsSeenBy("root", "?tenant=other")).map((o) => o.username)).toEqual(["other-admin"])
    const tenants = (await (await request(app, "GET", "/tenants", undefined, as("shop-viewer"))).json()) as { tenants: Array<{ id: string }> }
    expect(tenants.tenants.map((t) => t.id)).toEqual(["shop"])
    expect((await request(app, "GET", "/tenants/other", undefined, as("shop-viewer"))).status).toBe(404)
    expect((await request(app, "GET", "/tenants/other", undefined, as("root"))).status).toBe(200)
    const other = all.find((o) => o.username === "other-admin")!
    expect((await request(app, "DELETE", `/operators/${other.id}`, undefined, as("shop-admin"))).status).toBe(404)
    expect((await request(app, "GET", "/operators")).status).toBe(401)
  })

  test("SQL in usernames and names is stored literally and logs in as typed", async () => {
    const username = "o'brien\";--drop"
    const created = await createOperator("root", { username, role: "tenant-viewer", tenant: "shop" })
    expect(created.status).toBe(201)
    expect(((await created.json()) as OperatorBody).username).toBe(username)
    expect((await tokenOf(username, password)).authorization).toStartWith("Bearer ")
    const name = "Robert'); drop table users.tenants;--"
    const tenant = await request(app, "POST", "/tenants", { id: "bobby", name }, as("root"))
    expect(await tenant.json()).toMatchObject({ id: "bobby", name })
    expect((await request(app, "GET", "/tenants/bobby", undefined, as("root"))).status).toBe(200)
    expect((await request(app, "POST", "/auth/login", { username: "root' or '1'='1", password: "x' or '1'='1" })).status).toBe(401)
    expect((await createOperator("root", { username: "root' or 1=1 --", role: "admin" })).status).toBe(422)
    expect((await request(app, "POST", "/tenants", { id: "a'; drop", name: "x" }, as("root"))).status).toBe(422)
  })

  test.each([
    [{ username: "x".repeat(151), role: "admin" }, "username"],
    [{ username: "short-pw", role: "admin", password: "elevenchars" }, "password"],
    [{ username: "long-pw", role: "admin", password: "p".repeat(201) }, "password"],
    [{ username: "bad-role", role: "owner" }, "role"]
  ])("operator body %# is a 422 naming its field, without echoing the password", async (body, field) => {
    const response = await createOperator("root", body)
    expect(response.status).toBe(422)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({ field })
    if ("password" in body) expect(text).not.toContain(body.password)
  })

  test("oversized login and tenant fields are refused with 422", async () => {
    expect((await request(app, "POST", "/auth/login", { username: "u".repeat(151), password: "x" })).status).toBe(422)
    const longPassword = await request(app, "POST", "/auth/login", { username: "root", password: "p".repeat(201) })
    expect(longPassword.status).toBe(422)
    expect(await longPassword.text()).not.toContain("p".repeat(201))
    expect((await request(app, "POST", "/tenants", { id: "t".repeat(65), name: "x" }, as("root"))).status).toBe(422)
    expect((await request(app, "POST", "/tenants", { id: "big", name: "n".repeat(201) }, as("root"))).status).toBe(422)
  })

  test("the user service's OpenAPI document stays valid and lists every route with its error answers", async () => {
    const document = (await (await request(app, "GET", "/swagger/json")).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }
    expect(await openApiErrors(document)).toEqual([])
    const paths = ["/auth/login", "/auth/refresh", "/auth/logout", "/auth/introspect", "/auth/me", "/auth/revocations", "/tenants", "/tenants/{id}", "/operators", "/operators/{id}", "/api-keys", "/api-keys/{id}", "/user"]
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(paths))
    expect(Object.keys(document.paths["/auth/login"]!.post!.responses)).toEqual(expect.arrayContaining(["200", "401", "422", "429"]))
    expect(Object.keys(document.paths["/operators"]!.post!.responses)).toEqual(expect.arrayContaining(["201", "401", "403", "409", "422"]))
    const revocations = document.paths["/auth/revocations"]!.get! as unknown as {
      parameters: Array<{ name: string }>
      responses: Record<string, { content: Record<string, { schema: { title?: string; examples?: Array<unknown> } }> }>
    }
    expect(Object.keys(revocations.responses)).toEqual(["200", "422", "503"])
    expect(revocations.parameters.map((p) => p.name)).toEqual(["after"])
    expect(revocations.responses["200"]!.content["application/json"]!.schema).toMatchObject({ title: "RevocationFeed", examples: [expect.anything()] })
    expect(revocations.responses["422"]!.content["application/problem+json"]!.schema.examples).toHaveLength(1)
  })
})
