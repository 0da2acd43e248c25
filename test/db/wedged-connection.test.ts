import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Exit, Layer, ManagedRuntime, Option, Redacted } from "effect"
import { AppConfig } from "../../src/config/app-config.ts"
import { Database, exec } from "../../src/db/database.ts"
import { DatabaseLive } from "../../src/db/pool.ts"
import { testConfig } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts"

const callTimeoutMs = 1500
// Generous: the bound is what is proven, not how fast the machine is.
const failsWithinMs = callTimeoutMs + 5000

describe("a connection that stops answering (a wedged TCP proxy in front of PostgreSQL)", () => {
  let database: TestDatabase
  let proxy: TcpProxy
  let runtime: ManagedRuntime.ManagedRuntime<Database, unknown>
  const db = Effect.service(Database)
  const run = <A, E>(effect: Effect.Effect<A, E, Database>) => runtime.runPromiseExit(effect)
  const timed = async <A, E>(effect: Effect.Effect<A, E, Database>) => {
    const started = performance.now()
    const exit = await run(effect)
    return { exit, ms: performance.now() - started }
  }
  const count = () => runtime.runPromise(Effect.flatMap(db, (d) => d.run((sql) => sql<Array<{ n: number }>>`select count(*)::int as n from t`)))
  // Through a transaction's connection: the statements' pool may still hold a wedged idle connection.
  const countInTransaction = () =>
    runtime.runPromise(Effect.flatMap(db, (d) => d.transaction((tx) => exec(() => tx<Array<{ n: number }>>`select count(*)::int as n from t`))))

  beforeAll(async () => {
    database = await createTestDatabase()
    const url = new URL(database.url)
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) })
    url.port = String(proxy.port)
    const config = testConfig({
      databaseUrl: Option.some(Redacted.make(url.toString())),
      database: { poolSize: 2, connectTimeoutMs: 2000, statementTimeoutMs: 1000, idleInTransactionTimeoutMs: 5000, callTimeoutMs, statementLog: Option.none() }
    })
    runtime = ManagedRuntime.make(DatabaseLive.pipe(Layer.provide(Layer.succeed(AppConfig, config))))
    await runtime.runPromise(Effect.flatMap(db, (d) => d.run((sql) => sql`create table t (id int primary key)`)))
  })
  afterAll(async () => {
    await runtime?.dispose()
    await proxy?.close()
    await database?.drop()
  }, 30_000)

  test("a statement on it fails within the bound, its connection is closed, and the next statement runs on a new one", async () => {
    expect((await count())[0]!.n).toBe(0)
    expect(proxy.freeze()).toBeGreaterThan(0)
    const wedged = await timed(Effect.flatMap(db, (d) => d.run((sql) => sql`select 1`)))
    expect(Exit.isFailure(wedged.exit)).toBe(true)
    expect(String(wedged.exit)).toContain("ConnectionLost")
    expect(wedged.ms).toBeLessThan(failsWithinMs)
    expect((await count())[0]!.n).toBe(0)
    // The client gave the wedged connection up rather than keeping it in its pool.
    const deadline = Date.now() + failsWithinMs
    while (proxy.closedWhileFrozen() === 0 && Date.now() < deadline) await Bun.sleep(100)
    expect(proxy.closedWhileFrozen()).toBeGreaterThan(0)
  }, 30_000)

  test("a transaction on it fails within the bound, commits nothing, and the next transaction gets a working connection", async () => {
    await run(Effect.flatMap(db, (d) => d.transaction((tx) => exec(() => tx`insert into t values (1)`))))
    expect((await count())[0]!.n).toBe(1)
    proxy.freeze()
    const wedged = await timed(Effect.flatMap(db, (d) => d.transaction((tx) => exec(() => tx`insert into t values (2)`))))
    expect(Exit.isFailure(wedged.exit)).toBe(true)
    expect(String(wedged.exit)).toContain("ConnectionLost")
    expect(wedged.ms).toBeLessThan(failsWithinMs)
    for (let id = 3; id <= 6; id++) {
      const exit = await run(Effect.flatMap(db, (d) => d.transaction((tx) => exec(() => tx`insert into t values (${id})`))))
      expect(Exit.isSuccess(exit)).toBe(true)
    }
    expect((await countInTransaction())[0]!.n).toBe(5)
  }, 30_000)
})
