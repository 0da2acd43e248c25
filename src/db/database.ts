import { Context, Effect, Option } from "effect"
import type postgres from "postgres"
import { type DatabaseError, fromDriverError } from "./errors.ts"
import { bounded } from "./bounded.ts"
import type { Transactions } from "./transactions.ts"

/** Anything that runs tagged-template SQL: the pool or a transaction's connection. */
export type Sql = postgres.Sql<{}>

/**
 * Runs one driver call, with its failure mapped to the database's tagged errors. Inside a
 * process with a Database, the call fails with ConnectionLost once it has waited longer than the
 * configured bound: a promise postgres.js never settles cannot hold its caller forever.
 */
export const exec = <A>(run: () => Promise<A>): Effect.Effect<A, DatabaseError> =>
  Effect.flatMap(Effect.serviceOption(Database), (db) => {
    const call = Effect.tryPromise({ try: run, catch: fromDriverError })
    return Option.isSome(db) ? bounded(call, db.value.callTimeoutMs, "statement") : call
  })

export interface DatabaseShape {
  /** The pool: repositories run single statements on it (through `exec`). */
  readonly sql: Sql
  /** The pool, for single statements: `db.run((sql) => sql\`select 1\`)`. */
  run<A>(query: (sql: Sql) => Promise<A>): Effect.Effect<A, DatabaseError>
  /**
   * Runs `body` in one transaction on a connection of its own: committed when it succeeds,
   * rolled back when it fails or is interrupted.
   */
  transaction<A, E, R>(body: (tx: Sql) => Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R>
  /** `embedded` (PGlite in the data directory) or `external` (DATABASE_URL). */
  readonly mode: "embedded" | "external"
  /** Where it connects, without credentials, for start-up output. */
  readonly target: string
  /** How long one call (a statement, waiting for a connection) may take before it fails. */
  readonly callTimeoutMs: number
}

export class Database extends Context.Service<Database, DatabaseShape>()("loyaltea/db/Database") {}

/** Builds the service over an open postgres.js pool for statements and the transactions' connections. */
export const makeDatabase = (options: {
  readonly statements: Sql
  readonly transactions: Transactions
  readonly mode: DatabaseShape["mode"]
  readonly target: string
  readonly callTimeoutMs: number
}): DatabaseShape => ({
  mode: options.mode,
  target: options.target,
  callTimeoutMs: options.callTimeoutMs,
  sql: options.statements,
  run: (query) => bounded(Effect.tryPromise({ try: () => query(options.statements), catch: fromDriverError }), options.callTimeoutMs, "statement"),
  transaction: (body) => options.transactions.run(body)
})
