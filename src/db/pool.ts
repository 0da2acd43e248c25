import { Effect, Layer, Option, Redacted, Schema } from "effect"
import postgres from "postgres"
import { AppConfig } from "../config/app-config.ts"
import { Database, exec, makeDatabase, type Sql } from "./database.ts"
import { startEmbeddedPostgres } from "./embedded-postgres.ts"

/** The database named by the configuration cannot be used; start-up stops with this message. */
export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  target: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `cannot use the database ${this.target}: ${this.reason}`
  }
}

/** The URL without its password, safe to print. */
export const describeUrl = (raw: string): Option.Option<string> => {
  try {
    const url = new URL(raw)
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") return Option.none()
    return Option.some(`${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ""}${url.host}${url.pathname}`)
  } catch {
    return Option.none()
  }
}

const quiet = { onnotice: () => {}, connect_timeout: 10, idle_timeout: 60 } as const

const openPool = (make: () => Sql, target: string) =>
  Effect.acquireRelease(Effect.sync(make), (pool) => Effect.promise(() => pool.end({ timeout: 5 }))).pipe(
    Effect.tap((pool) =>
      exec(() => pool`select 1`).pipe(
        Effect.mapError((error) => new DatabaseUnavailable({ target, reason: error.message }))
      )
    )
  )

const external = (url: string, poolSize: number) =>
  Effect.gen(function*() {
    const target = yield* Option.match(describeUrl(url), {
      onNone: () => Effect.fail(new DatabaseUnavailable({ target: "DATABASE_URL", reason: "not a postgres:// or postgresql:// URL" })),
      onSome: Effect.succeed
    })
    const pool = yield* openPool(() => postgres(url, { ...quiet, max: poolSize }), target)
    return makeDatabase(pool, "external", target)
  })

// PGlite runs one query at a time; a second connection would interleave transactions and fail.
const embedded = (dataDir: string) =>
  Effect.gen(function*() {
    const pg = yield* startEmbeddedPostgres(dataDir)
    const target = `embedded PGlite in ${pg.dataDir}`
    const pool = yield* openPool(() => postgres({ ...quiet, path: pg.socketPath, max: 1, username: "postgres", database: "postgres" }), target)
    return makeDatabase(pool, "embedded", target)
  })

/** The external server when `DATABASE_URL` is set, otherwise the embedded PGlite. */
export const DatabaseLive = Layer.effect(
  Database,
  Effect.gen(function*() {
    const config = yield* AppConfig
    return yield* Option.match(config.databaseUrl, {
      onSome: (url) => external(Redacted.value(url), config.databasePoolSize),
      onNone: () => embedded(config.dataDir)
    })
  })
)
