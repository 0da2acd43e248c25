import { afterEach, describe, expect, spyOn, test } from "bun:test"
import { Layer, Option, Redacted } from "effect"
import postgres from "postgres"
import { AuthSettings, type AuthSettingsShape } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases } from "../../src/actors/user/user-use-cases.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const unset: AuthSettingsShape = { adminUsername: Option.none(), adminPassword: Option.none(), trustProxy: false, trustedProxies: 1 }
const generatedLine = /created the platform admin "([^"]+)" with the generated password: (\S+)/

describe("first-start platform admin", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  const freshDatabase = async () => {
    const database: TestDatabase = await createTestDatabase()
    cleanups.push(() => database.drop())
    return database
  }
  const start = async (database: TestDatabase, settings: AuthSettingsShape) => {
    const runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    cleanups.push(() => runtime.dispose())
    return anonymousApp(runtime, "user", userRoutes)
  }
  const admins = async (database: TestDatabase) => {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} })
    try {
      return (await sql`select username from users.operators where role = 'admin'`).map((row) => row.username as string)
    } finally {
      await sql.end()
    }
  }
  const printed = (spy: { mock: { calls: Array<Array<unknown>> } }): Array<string> => spy.mock.calls.map((args) => args.join(" "))

  test("LOYALTEA_ADMIN_USERNAME and _PASSWORD create that admin, and nothing is printed", async () => {
    const database = await freshDatabase()
    const spy = spyOn(console, "log")
    try {
      const app = await start(database, { ...unset, adminUsername: Option.some("boss"), adminPassword: Option.some(Redacted.make("boss-password-123")) })
      expect(printed(spy).filter((line) => line.includes("boss-password-123"))).toEqual([])
      expect((await request(app, "POST", "/auth/login", { username: "boss", password: "boss-password-123" })).status).toBe(200)
    } finally {
      spy.mockRestore()
    }
    expect(await admins(database)).toEqual(["boss"])
  })

  test("without a password one is generated and printed exactly once, and it logs in", async () => {
    const database = await freshDatabase()
    const spy = spyOn(console, "log")
    let lines: Array<string>
    try {
      // Two processes starting together on the empty database: one admin, one line.
      const [app] = await Promise.all([start(database, unset), start(database, unset)])
      lines = printed(spy).filter((line) => generatedLine.test(line))
      expect(lines).toHaveLength(1)
      const [, username, password] = generatedLine.exec(lines[0]!)!
      expect(username).toBe("admin")
      expect(password!.length).toBeGreaterThanOrEqual(12)
      expect((await request(app!, "POST", "/auth/login", { username, password })).status).toBe(200)
      await start(database, unset)
      expect(printed(spy).filter((line) => generatedLine.test(line))).toHaveLength(1)
    } finally {
      spy.mockRestore()
    }
    expect(await admins(database)).toEqual(["admin"])
  })

  test("a password below the policy stops start-up with a message that does not quote it", async () => {
    const database = await freshDatabase()
    const failure = await start(database, { ...unset, adminPassword: Option.some(Redacted.make("tiny-pw")) }).then(() => undefined, (error: unknown) => error)
    expect(String(failure)).toContain("LOYALTEA_ADMIN_PASSWORD")
    expect(String(failure)).not.toContain("tiny-pw")
    expect(await admins(database)).toEqual([])
  })
})
