import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const root = join(import.meta.dir, "..", "..")

/** `bun run create-admin ...` as its own process, as an operator would run it. */
const createAdmin = async (args: Array<string>, env: Record<string, string>, stdin?: string) => {
  const proc = Bun.spawn([process.execPath, "src/tools/create-admin.ts", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe"
  })
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  return { code, output: stdout + stderr }
}

describe("bun run create-admin", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases>>
  let app: AnyElysia
  const env = () => ({ DATABASE_URL: database.url })
  const login = (username: string, password: string) => request(app, "POST", "/auth/login", { username, password })

  beforeAll(async () => {
    database = await createTestDatabase()
    const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make("root-password-for-tests")), trustProxy: false, trustedProxies: 1 }
    runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    app = await anonymousApp(runtime, "user", userRoutes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("creates another platform admin from --username and --password, without printing the password", async () => {
    const result = await createAdmin(["--username", "second", "--password", "second-password-1"], env())
    expect(result.code).toBe(0)
    expect(result.output).toContain(`created the platform admin "second"`)
    expect(result.output).not.toContain("second-password-1")
    const response = await login("second", "second-password-1")
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ operator: { username: "second", role: "admin", tenant: null } })
  }, 30_000)

  test("without --password it reads the password from stdin", async () => {
    const result = await createAdmin(["--username", "third"], env(), "third-password-12\n")
    expect(result.code).toBe(0)
    expect((await login("third", "third-password-12")).status).toBe(200)
  }, 30_000)

  test("a taken username, a short password or no username fail with a clear message and a non-zero exit", async () => {
    const taken = await createAdmin(["--username", "root", "--password", "whatever-password-1"], env())
    expect(taken.code).toBe(1)
    expect(taken.output).toContain("operator root already exists")
    const short = await createAdmin(["--username", "fourth", "--password", "short-pw"], env())
    expect(short.code).toBe(1)
    expect(short.output).toContain("password: must be 12 to 200 characters")
    expect(short.output).not.toContain("short-pw")
    const missing = await createAdmin(["--password", "whatever-password-1"], env())
    expect(missing.code).toBe(2)
    expect(missing.output).toContain("--username is required")
    expect((await login("fourth", "short-pw")).status).toBe(401)
  }, 30_000)

  test("with the embedded database, a data directory held by another process is refused with a clear message", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-create-admin-"))
    // This test's own process stands for the running Loyaltea that holds the directory.
    writeFileSync(join(dataDir, "pg.lock"), `${process.pid}\n`)
    const result = await createAdmin(["--username", "fifth", "--password", "fifth-password-1"], { LOYALTEA_DATA_DIR: dataDir })
    expect(result.code).toBe(1)
    expect(result.output).toContain(`is in use by process ${process.pid}`)
  }, 30_000)
})
