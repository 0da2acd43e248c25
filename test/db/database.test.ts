import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Exit, Layer, ManagedRuntime, Option, Redacted } from "effect"
import { AppConfig } from "../../src/config/app-config.ts"
import { Database, exec } from "../../src/db/database.ts"
import { DatabaseLive } from "../../src/db/pool.ts"
import { testConfig } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

describe("the database port", () => {
  let database: TestDatabase
  let runtime: ManagedRuntime.ManagedRuntime<Database, unknown>
  const run = <A, E>(effect: Effect.Effect<A, E, Database>) => runtime.runPromiseExit(effect)
  const db = Effect.service(Database)

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = ManagedRuntime.make(DatabaseLive.pipe(Layer.provide(Layer.succeed(AppConfig, testConfig({ databaseUrl: Option.some(Redacted.make(database.url)) })))))
    await runtime.runPromise(Effect.flatMap(db, (d) => d.run((sql) => sql`create table t (id int primary key)`)))
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  const count = () => runtime.runPromise(Effect.flatMap(db, (d) => d.run((sql) => sql<Array<{ n: number }>>`select count(*)::int as n from t`)))

  test("a transaction commits all of its statements when it succeeds", async () => {
    await run(Effect.flatMap(db, (d) => d.transaction((tx) => Effect.all([exec(() => tx`insert into t values (1)`), exec(() => tx`insert into t values (2)`)]))))
    expect((await count())[0]!.n).toBe(2)
  })

  test("a failure inside a transaction rolls every statement back and keeps its tagged error", async () => {
    const exit = await run(Effect.flatMap(db, (d) => d.transaction((tx) => Effect.all([exec(() => tx`insert into t values (3)`), exec(() => tx`insert into t values (1)`)]))))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("UniqueViolation")
    expect((await count())[0]!.n).toBe(2)
  })

  test("an interrupted transaction is rolled back", async () => {
    await runtime.runPromise(Effect.flatMap(db, (d) =>
      d.transaction((tx) => exec(() => tx`insert into t values (10)`).pipe(Effect.andThen(Effect.never))).pipe(Effect.timeoutOption("200 millis"))))
    expect((await count())[0]!.n).toBe(2)
  })

  test("a transaction whose connection the server closes fails at once, commits nothing, and leaves no dead connection behind", async () => {
    const exit = await run(Effect.flatMap(db, (d) =>
      d.transaction((tx) =>
        Effect.gen(function*() {
          yield* exec(() => tx`insert into t values (20)`)
          const [backend] = yield* exec(() => tx<Array<{ pid: number }>>`select pg_backend_pid() as pid`)
          const pid = backend!.pid
          yield* d.run((sql) => sql`select pg_terminate_backend(${pid})`)
          // Idle in its transaction when the server ends the session, as after a crash.
          yield* Effect.sleep("300 millis")
          return yield* exec(() => tx`insert into t values (21)`)
        })
      )
    ))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("ConnectionLost")
    // Every connection is usable again: none of them is the dead one handed back.
    for (let id = 22; id < 22 + 2 * testConfig().database.poolSize; id++) {
      expect(Exit.isSuccess(await run(Effect.flatMap(db, (d) => d.transaction((tx) => exec(() => tx`insert into t values (${id})`)))))).toBe(true)
    }
    const ids = await runtime.runPromise(Effect.flatMap(db, (d) => d.run((sql) => sql<Array<{ id: number }>>`select id from t where id between 20 and 21`)))
    expect(ids).toHaveLength(0)
  })

  test("an unreachable server fails with one clear error, not a retry loop", async () => {
    const bad = ManagedRuntime.make(DatabaseLive.pipe(Layer.provide(Layer.succeed(AppConfig, testConfig({ databaseUrl: Option.some(Redacted.make("postgres://postgres:hunter2@127.0.0.1:1/nowhere")) })))))
    const exit = await bad.runPromiseExit(db)
    expect(Exit.isFailure(exit)).toBe(true)
    const text = String(exit)
    expect(text).toContain("DatabaseUnavailable")
    expect(text).not.toContain("hunter2")
    await bad.dispose()
  })
})
