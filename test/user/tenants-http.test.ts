import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect, Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }

describe("tenants over HTTP, and their publication on topic tenant", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases | KafkaClient>>
  let app: AnyElysia
  let root: Record<string, string>
  const login = async (username: string, password: string) => ({
    authorization: `Bearer ${((await (await request(app, "POST", "/auth/login", { username, password })).json()) as { accessToken: string }).accessToken}`
  })
  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> })

  /** Every tenant event published so far, read back from the broker. */
  const published = async () => {
    const { kafka } = await runtime.runPromise(Effect.service(KafkaClient))
    const consumer = kafka.consumer({ groupId: `read-${randomUUID()}`, maxWaitTimeInMs: 100 })
    const seen: Array<Record<string, unknown>> = []
    await consumer.connect()
    await consumer.subscribe({ topic: "tenant", fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void seen.push({ key: String(message.key), ...JSON.parse(String(message.value)) }) })
    await Bun.sleep(1500)
    await consumer.disconnect()
    return seen
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings))) as never
    app = await anonymousApp(runtime, "user", userRoutes)
    root = await login("root", rootPassword)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a tenant has a time zone (UTC unless given) and whether it takes events without ids; each change is published, versioned", async () => {
    const created = await json(await request(app, "POST", "/tenants", { id: "berlin-bakery", name: "Berlin Bakery", timeZone: "Europe/Berlin" }, root))
    expect(created).toMatchObject({ status: 201, body: { id: "berlin-bakery", timeZone: "Europe/Berlin", allowEventsWithoutId: false, version: 1 } })
    const plain = await json(await request(app, "POST", "/tenants", { id: "plain", name: "Plain" }, root))
    expect(plain.body).toMatchObject({ timeZone: "UTC", version: 1 })
    const changed = await json(await request(app, "PUT", "/tenants/berlin-bakery", { allowEventsWithoutId: true }, root))
    expect(changed.body).toMatchObject({ name: "Berlin Bakery", timeZone: "Europe/Berlin", allowEventsWithoutId: true, version: 2 })
    const events = (await published()).filter((e) => e.key === "berlin-bakery")
    expect(events.map((e) => [e.version, e.timeZone, e.allowEventsWithoutId, e.eventId])).toEqual([
      [1, "Europe/Berlin", false, "tenant:berlin-bakery:v1"],
      [2, "Europe/Berlin", true, "tenant:berlin-bakery:v2"]
    ])
  })

  test("an unknown time zone is refused naming the field; a tenant admin changes only its own tenant, another is not found", async () => {
    const refused = await json(await request(app, "POST", "/tenants", { id: "mars", name: "Mars", timeZone: "Mars/Olympus" }, root))
    expect(refused).toMatchObject({ status: 422, body: { field: "timeZone" } })
    expect((await json(await request(app, "PUT", "/tenants/plain", { timeZone: "Europe/Nowhere" }, root))).body).toMatchObject({ field: "timeZone" })
    await request(app, "POST", "/operators", { username: "plain-admin", password: "plain-admin-password", role: "tenant-admin", tenant: "plain" }, root)
    const admin = await login("plain-admin", "plain-admin-password")
    expect((await json(await request(app, "PUT", "/tenants/plain", { timeZone: "Asia/Tokyo" }, admin))).body).toMatchObject({ timeZone: "Asia/Tokyo", version: 2 })
    const other = await json(await request(app, "PUT", "/tenants/berlin-bakery", { name: "Mine now" }, admin))
    const missing = await json(await request(app, "PUT", "/tenants/no-such-tenant", { name: "Mine now" }, admin))
    expect([other.status, missing.status]).toEqual([404, 404])
    expect(JSON.stringify(other.body).replaceAll("berlin-bakery", "X")).toBe(JSON.stringify(missing.body).replaceAll("no-such-tenant", "X"))
  })
})
