import { Config, Option, Schema } from "effect"
import { Millis } from "./parsers.ts"

/**
 * How long any database call may take. Every bound is finite: a server that stops answering makes
 * calls fail (and their connections get replaced) instead of leaving them waiting forever.
 */
export interface DatabaseSettings {
  /** Connections to an external PostgreSQL: one group for single statements, one for transactions. */
  readonly poolSize: number
  /** Opening a connection (TCP, TLS, start-up, authentication). */
  readonly connectTimeoutMs: number
  /** The server cancels a statement running longer (`statement_timeout`). */
  readonly statementTimeoutMs: number
  /** The server ends a session left idle inside a transaction longer (`idle_in_transaction_session_timeout`). */
  readonly idleInTransactionTimeoutMs: number
  /**
   * The client's own bound: a call with no answer after this long fails, and a connection that
   * owes an answer this long is closed and replaced. Above the statement timeout, so that a slow
   * statement is the server's to cancel and only a dead or wedged connection reaches it.
   */
  readonly callTimeoutMs: number
  /** `LOYALTEA_STATEMENT_LOG`: a file every statement sent is appended to (see db/statement-log.ts); for benchmarks. */
  readonly statementLog: Option.Option<string>
}

const millis = (name: string, fallback: number) => Config.schema(Millis, name).pipe(Config.withDefault(fallback))

// Time the client leaves on top of the server's own statement bound before it gives up.
const callMargin = 5000

export const databaseSettings: Config.Config<DatabaseSettings> = Config.all({
  poolSize: Config.schema(Schema.Int.check(Schema.isGreaterThan(0, { message: "must be at least 1" })), "DATABASE_POOL_SIZE").pipe(Config.withDefault(10)),
  connectTimeoutMs: millis("DATABASE_CONNECT_TIMEOUT_MS", 5000),
  statementTimeoutMs: millis("DATABASE_STATEMENT_TIMEOUT_MS", 30_000),
  idleInTransactionTimeoutMs: millis("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", 30_000),
  callTimeoutMs: Config.option(Config.schema(Millis, "DATABASE_CALL_TIMEOUT_MS")),
  statementLog: Config.option(Config.String("LOYALTEA_STATEMENT_LOG"))
}).pipe(
  Config.map(({ callTimeoutMs, ...settings }) => ({
    ...settings,
    callTimeoutMs: Option.getOrElse(callTimeoutMs, () => settings.statementTimeoutMs + callMargin)
  }))
)
