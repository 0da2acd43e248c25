import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import postgres from "postgres"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }
const password = "operator-password-1"

/**
 * The operator's state is changed behind the service's back (straight in the database), as a
 * disable made by another user-service process looks before its revocation has reached this one.
 */
describe("changes that outlive a token check the operator's current state, not the token's word", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases>>
  let app: AnyElysia
  let sql: postgres.Sql
  const bearerOf = async (username: string, pw = password) => {
    const body = (await (await request(app, "POST", "/auth/login", { username, password: pw })).json()) as { accessToken: string; operator: { id: string } }
    return { headers: { authorization: `Bearer ${body.accessToken}` }, id: body.operator.id }
  }
  const createOperator = async (root: Record<string, string>, username: string, role: string) => {
    const response = await request(app, "POST", "/operators", { username, password, role, tenant: "shop" }, root)
    expect(response.status).toBe(201)
    return ((await response.json()) as { id: string }).id
  }
  /** Every credential-making change, as `who`; the statuses in order. */
  const changes = async (who: Record<string, string>, victims: { operator: string; key: string }) => [
    (await request(app, "POST", "/api-keys", { name: "k", scopes: ["read"] }, who)).status,
    (await request(app, "POST", "/operators", { username: `x-${crypto.randomUUID()}`, password, role: "tenant-viewer" }, who)).status,
    (await request(app, "DELETE", `/operators/${victims.operator}`, undefined, who)).status,
    (await request(app, "DELETE", `/api-keys/${victims.key}`, undefined, who)).status
  ]

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    app = await anonymousApp(runtime, "user", userRoutes)
    sql = postgres(database.url, { max: 1, onnotice: () => {} })
    const root = (await bearerOf("root", rootPassword)).headers
    expect((await request(app, "POST", "/tenants", { id: "shop", name: "Shop" }, root)).status).toBe(201)
  })
  afterAll(async () => {
    await sql?.end()
    await runtime.dispose()
    await database.drop()
  })

  const victims = async () => {
    const root = (await bearerOf("root", rootPassword)).headers
    const operator = await createOperator(root, `victim-${crypto.randomUUID()}`, "tenant-viewer")
    const key = ((await (await request(app, "POST", "/api-keys", { name: "v", tenant: "shop", scopes: ["read"] }, root)).json()) as { id: string }).id
    return { operator, key }
  }

  test("a disabled operator's token creates no API key or operator, and disables or revokes nothing", async () => {
    const root = (await bearerOf("root", rootPassword)).headers
    await createOperator(root, "mallory", "tenant-admin")
    const mallory = await bearerOf("mallory")
    const targets = await victims()
    await sql`update users.operators set disabled_at = now() where id = ${mallory.id}`
    expect(await changes(mallory.headers, targets)).toEqual([401, 401, 401, 401])
    const [counts] = await sql`select (select count(*)::int from users.operators where disabled_at is not null) as disabled,
      (select count(*)::int from users.api_keys where revoked_at is not null) as revoked`
    expect(counts).toEqual({ disabled: 1, revoked: 0 })
  })

  test("a token whose operator was demoted since it was issued is refused for these changes", async () => {
    const root = (await bearerOf("root", rootPassword)).headers
    await createOperator(root, "demoted", "tenant-admin")
    const demoted = await bearerOf("demoted")
    await sql`update users.operators set role = 'tenant-viewer' where id = ${demoted.id}`
    const response = await request(app, "POST", "/api-keys", { name: "k", scopes: ["read"] }, demoted.headers)
    expect(response.status).toBe(401)
    expect(((await response.json()) as { message: string }).message).toContain("log in again")
  })

  test("an operator in good standing makes the same changes", async () => {
    const root = (await bearerOf("root", rootPassword)).headers
    await createOperator(root, "alice", "tenant-admin")
    const alice = await bearerOf("alice")
    expect(await changes(alice.headers, await victims())).toEqual([201, 201, 204, 204])
  })
})
