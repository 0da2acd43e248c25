import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import postgres from "postgres"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { pruneRefreshTokens } from "../../src/actors/user/refresh-token-repo.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { Database } from "../../src/db/database.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }

/** A refresh token as stored, its times given in days from now (negative: in the past). */
interface Row {
  readonly family: string
  readonly revokedDaysAgo?: number
  readonly expiresInDays: number
}

describe("pruning refresh tokens past the retention horizon", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases>>
  let app: AnyElysia
  let sql: postgres.Sql

  const prune = (days: number) => runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => pruneRefreshTokens(db.sql, days)))

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    app = await anonymousApp(runtime, "user", userRoutes)
    sql = postgres(database.url, { max: 1, onnotice: () => {} })
  })
  afterAll(async () => {
    await sql?.end()
    await runtime.dispose()
    await database.drop()
  })

  test("ended and expired sessions go after the horizon; a live session keeps its spent tokens", async () => {
    const [operator] = await sql<Array<{ id: string }>>`select id::text as id from users.operators where username = 'root'`
    const rows: Record<string, Row> = {
      "live: spent": { family: "live", revokedDaysAgo: 20, expiresInDays: 10 },
      "live: current": { family: "live", expiresInDays: 29 },
      "live: spent, expired long ago": { family: "live", revokedDaysAgo: 50, expiresInDays: -20 },
      "logged out 10 days ago": { family: "out-long-ago", revokedDaysAgo: 10, expiresInDays: 20 },
      "logged out 10 days ago, rotated before": { family: "out-long-ago", revokedDaysAgo: 12, expiresInDays: 18 },
      "logged out yesterday": { family: "out-recently", revokedDaysAgo: 1, expiresInDays: 29 },
      "unused until it expired 8 days ago": { family: "lapsed", expiresInDays: -8 },
      "spent before it lapsed": { family: "lapsed", revokedDaysAgo: 40, expiresInDays: -10 },
      "expired 3 days ago": { family: "lapsed-recently", expiresInDays: -3 }
    }
    const families = new Map<string, string>()
    for (const [name, row] of Object.entries(rows)) {
      const family = families.get(row.family) ?? randomUUID()
      families.set(row.family, family)
      await sql`
        insert into users.refresh_tokens (id, operator_id, token_hash, family_id, expires_at, revoked_at)
        values (${randomUUID()}, ${operator!.id}, ${name}, ${family}, now() + make_interval(days => ${row.expiresInDays}),
          case when ${row.revokedDaysAgo ?? null}::int is null then null else now() - make_interval(days => ${row.revokedDaysAgo ?? 0}) end)`
    }
    expect(await prune(7)).toBe(5)
    const left = (await sql<Array<{ token_hash: string }>>`select token_hash from users.refresh_tokens where token_hash = any(${Object.keys(rows)})`)
      .map((r) => r.token_hash).sort()
    expect(left).toEqual(["expired 3 days ago", "live: current", "live: spent", "logged out yesterday"])
  })

  test("after pruning, replaying a spent token of a live session still ends that session", async () => {
    const first = (await (await request(app, "POST", "/auth/login", { username: "root", password: rootPassword })).json()) as { refreshToken: string }
    const second = (await (await request(app, "POST", "/auth/refresh", { refreshToken: first.refreshToken })).json()) as { refreshToken: string }
    await sql`update users.refresh_tokens set created_at = now() - interval '20 days', revoked_at = now() - interval '20 days' where revoked_at is not null and expires_at > now()`
    await prune(0)
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: first.refreshToken })).status).toBe(401)
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: second.refreshToken })).status).toBe(401)
  })
})
