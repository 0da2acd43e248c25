import { describe, expect, test } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { AppConfig } from "../../src/config/app-config.ts"
import { Database } from "../../src/db/database.ts"
import { MigrationsLive } from "../../src/db/migrations-layer.ts"
import { DatabaseLive } from "../../src/db/pool.ts"
import { testConfig } from "../support/layers.ts"

const embeddedRuntime = (dataDir: string) =>
  ManagedRuntime.make(MigrationsLive.pipe(Layer.provideMerge(DatabaseLive), Layer.provide(Layer.succeed(AppConfig, testConfig({ dataDir })))))

const query = <A>(runtime: ManagedRuntime.ManagedRuntime<Database, unknown>, f: (sql: Database["Service"]) => Effect.Effect<A, unknown>) =>
  runtime.runPromise(Effect.flatMap(Effect.service(Database), f))

describe("embedded PGlite", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-pglite-"))

  test("serves postgres.js over its socket, runs migrations and transactions, and keeps data across restarts", async () => {
    const first = embeddedRuntime(dataDir)
    const mode = await query(first, (db) => Effect.succeed(db.mode))
    expect(mode).toBe("embedded")
    await query(first, (db) => db.run((sql) => sql`create table reward.survives (id int primary key, note text)`))
    await query(first, (db) => db.transaction((tx) => Effect.tryPromise(() => tx`insert into reward.survives values (1, 'kept')`)))
    await first.dispose()

    const second = embeddedRuntime(dataDir)
    const rows = await query(second, (db) => db.run((sql) => sql<Array<{ note: string }>>`select note from reward.survives`))
    expect(rows.map((row) => row.note)).toEqual(["kept"])
    const migrations = await query(second, (db) => db.run((sql) => sql<Array<{ n: number }>>`select count(*)::int as n from public.loyaltea_migrations`))
    expect(migrations[0]!.n).toBeGreaterThan(0)

    // While the directory is in use, a second instance is refused with a clear message.
    const intruder = embeddedRuntime(dataDir)
    const exit = await intruder.runPromiseExit(Effect.service(Database))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("is in use by process")
    await intruder.dispose()
    await second.dispose()
  }, 60_000)
})
