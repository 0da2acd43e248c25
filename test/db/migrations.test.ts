import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { Database } from "../../src/db/database.ts"
import { loadMigrations, migrate, pendingMigrations } from "../../src/db/migrations.ts"
import { databaseRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const runtimeFor = databaseRuntime

describe("migrations on PostgreSQL", () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.drop()
  })

  test("two processes migrating one empty database at once apply each migration exactly once", async () => {
    const [a, b] = [runtimeFor(database.url), runtimeFor(database.url)]
    const [appliedA, appliedB] = await Promise.all([a.runPromise(migrate()), b.runPromise(migrate())])
    const all = loadMigrations().map((m) => m.name)
    expect([...appliedA, ...appliedB].sort()).toEqual([...all].sort())
    const rows = await a.runPromise(Effect.flatMap(Effect.service(Database), (db) =>
      db.run((sql) => sql<Array<{ name: string }>>`select name from public.loyaltea_migrations order by id`)))
    expect(rows.map((row) => row.name)).toEqual(all)
    expect(await a.runPromise(pendingMigrations())).toEqual([])
    expect(await b.runPromise(migrate())).toEqual([])
    await Promise.all([a.dispose(), b.dispose()])
  })

  test("every service owns its schema", async () => {
    const runtime = runtimeFor(database.url)
    const schemas = await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) =>
      db.run((sql) => sql<Array<{ name: string }>>`select nspname as name from pg_namespace`)))
    expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(["campaign", "reward", "fulfillment", "users"]))
    await runtime.dispose()
  })

  test("a migration edited after it was applied stops start-up instead of drifting", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loyaltea-migrations-"))
    const original = loadMigrations()[0]!
    writeFileSync(join(dir, original.name), `${original.sql}\n-- edited\n`)
    const runtime = runtimeFor(database.url)
    const exit = await runtime.runPromiseExit(migrate(loadMigrations(dir)))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("edited after being applied")
    await runtime.dispose()
  })

  test("a failing migration leaves nothing half-applied", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loyaltea-migrations-"))
    for (const m of loadMigrations()) writeFileSync(join(dir, m.name), m.sql)
    writeFileSync(join(dir, "9998_good.sql"), "create table public.half_applied (x int);")
    writeFileSync(join(dir, "9999_bad.sql"), "create table public.broken (x no_such_type);")
    const runtime = runtimeFor(database.url)
    const exit = await runtime.runPromiseExit(migrate(loadMigrations(dir)))
    expect(String(exit)).toContain("9999_bad.sql")
    const tables = await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) =>
      db.run((sql) => sql`select 1 from pg_tables where tablename = 'half_applied'`)))
    expect(tables).toHaveLength(0)
    await runtime.dispose()
  })
})
