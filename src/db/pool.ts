import { Effect, Layer, Option, Redacted, Schedule, Schema } from "effect"
import postgres from "postgres"
import { AppConfig } from "../config/app-config.ts"
import type { DatabaseSettings } from "../config/database-settings.ts"
import { Database, exec, makeDatabase, type Sql } from "./database.ts"
import { type DedicatedConnection, openDedicatedConnection } from "./dedicated-connection.ts"
import { startEmbeddedPostgres } from "./embedded-postgres.ts"
import { statementLog } from "./statement-log.ts"
import { type TrackedSockets, trackedSockets } from "./tracked-sockets.ts"
import { makeTransactions } from "./transactions.ts"

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

type Options = postgres.Options<{}>

/**
 * What every connection gets. The server's own bounds are connection parameters, so they hold for
 * every session from its first statement, whoever opened it; PGlite ignores them (it has no timers),
 * so the embedded database relies on the client's bound alone.
 */
const connectionOptions = (settings: DatabaseSettings, server: "external" | "embedded"): Options => ({
  onnotice: () => {},
  connect_timeout: settings.connectTimeoutMs / 1000,
  idle_timeout: 60,
  ...(server === "external"
    ? {
      connection: {
        statement_timeout: settings.statementTimeoutMs,
        idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs
      }
    }
    : {})
})

// Closed last, when every service and actor has stopped: a call still in flight gets a second.
// That grace always runs out for a connection that died with a query on it and was not used
// again (postgres.js keeps waiting for that query), so it is short. Then every socket goes,
// answering or not; all clients close at once.
const closeAll = (clients: ReadonlyArray<{ readonly sql: Sql; readonly sockets: TrackedSockets }>) =>
  Effect.promise(() => Promise.all(clients.map((client) => client.sql.end({ timeout: 1 }).catch(() => {})))).pipe(
    Effect.ensuring(Effect.sync(() => clients.forEach((client) => client.sockets.destroyAll("closing"))))
  )

// A connection that owes an answer past the call bound is destroyed; postgres.js then fails what
// waited on it and opens a new one. Checked every second, for every socket of every client.
const watchSockets = (groups: ReadonlyArray<TrackedSockets>, callTimeoutMs: number) =>
  Effect.sync(() => groups.reduce((n, sockets) => n + sockets.destroyOwing(callTimeoutMs), 0)).pipe(
    Effect.tap((destroyed) =>
      destroyed > 0 ? Effect.logWarning(`closed ${destroyed} database connection(s) that owed an answer for ${callTimeoutMs} ms or more`) : Effect.void
    ),
    Effect.repeat(Schedule.spaced("1 second")),
    Effect.annotateLogs({ component: "database" }),
    Effect.forkScoped
  )

const open = (options: {
  readonly settings: DatabaseSettings
  readonly mode: "external" | "embedded"
  readonly target: string
  readonly client: (options: Options) => Sql
}) =>
  Effect.gen(function*() {
    const { settings } = options
    const base = connectionOptions(settings, options.mode)
    const logFile = Option.getOrUndefined(settings.statementLog)
    let opened = 0
    const dedicated = () => {
      const name = `tx${opened++}`
      return openDedicatedConnection((extra) => options.client({ ...base, ...statementLog(logFile, name), ...extra } as Options))
    }
    let statements: Sql
    let connections: Array<DedicatedConnection>
    let clients: Array<{ readonly sql: Sql; readonly sockets: TrackedSockets }>
    if (options.mode === "embedded") {
      // PGlite serves one connection and runs one query at a time: statements and transactions
      // share it, and a transaction reserves it so no statement runs inside someone else's.
      const only = dedicated()
      statements = only.sql
      connections = [only]
      clients = [only]
    } else {
      const statementSockets = trackedSockets()
      statements = options.client({ ...base, ...statementLog(logFile, "pool"), max: settings.poolSize, socket: statementSockets.open } as Options)
      connections = Array.from({ length: settings.poolSize }, dedicated)
      clients = [{ sql: statements, sockets: statementSockets }, ...connections]
    }
    yield* Effect.addFinalizer(() => closeAll(clients))
    const sockets = clients.map((client) => client.sockets)
    yield* watchSockets(sockets, settings.callTimeoutMs)
    const transactions = yield* makeTransactions(connections, settings.callTimeoutMs)
    const db = makeDatabase({ statements, transactions, mode: options.mode, target: options.target, callTimeoutMs: settings.callTimeoutMs })
    yield* exec(() => statements`select 1`).pipe(
      Effect.provideService(Database, db),
      Effect.mapError((error) => new DatabaseUnavailable({ target: options.target, reason: error.message }))
    )
    return db
  })

const external = (url: string, settings: DatabaseSettings) =>
  Effect.gen(function*() {
    const target = yield* Option.match(describeUrl(url), {
      onNone: () => Effect.fail(new DatabaseUnavailable({ target: "DATABASE_URL", reason: "not a postgres:// or postgresql:// URL" })),
      onSome: Effect.succeed
    })
    return yield* open({ settings, mode: "external", target, client: (options) => postgres(url, options) })
  })

const embedded = (dataDir: string, settings: DatabaseSettings) =>
  Effect.gen(function*() {
    const pg = yield* startEmbeddedPostgres(dataDir)
    return yield* open({
      settings,
      mode: "embedded",
      target: `embedded PGlite in ${pg.dataDir}`,
      client: (options) => postgres({ ...options, path: pg.socketPath, username: "postgres", database: "postgres" })
    })
  })

// A worker process of the default start uses the PGlite its supervisor serves, one connection as
// the supervisor itself does. Their prepared statements share the one backend; postgres.js names
// them with a random prefix per connection, so they never collide.
const sharedEmbedded = (socketPath: string, settings: DatabaseSettings) =>
  open({
    settings,
    mode: "embedded",
    target: `embedded PGlite of the supervising process (${socketPath})`,
    client: (options) => postgres({ ...options, path: socketPath, username: "postgres", database: "postgres" })
  })

/**
 * The external server when `DATABASE_URL` is set, otherwise the embedded PGlite: this process's
 * own, or its supervisor's for a worker process.
 */
export const DatabaseLive = Layer.effect(
  Database,
  Effect.gen(function*() {
    const config = yield* AppConfig
    return yield* Option.match(config.databaseUrl, {
      onSome: (url) => external(Redacted.value(url), config.database),
      onNone: () =>
        Option.match(config.embeddedDatabaseSocket, {
          onSome: (socketPath) => sharedEmbedded(socketPath, config.database),
          onNone: () => embedded(config.dataDir, config.database)
        })
    })
  })
)
