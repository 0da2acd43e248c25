import { Context, Effect, Exit } from "effect"
import type postgres from "postgres"
import { type DatabaseError, fromDriverError } from "./errors.ts"

/** Anything that runs tagged-template SQL: the pool or a transaction's connection. */
export type Sql = postgres.Sql<{}>

/** Runs one driver call, with its failure mapped to the database's tagged errors. */
export const exec = <A>(run: () => Promise<A>): Effect.Effect<A, DatabaseError> =>
  Effect.tryPromise({ try: run, catch: fromDriverError })

export interface DatabaseShape {
  /** The pool: repositories run single statements on it (through `exec`). */
  readonly sql: Sql
  /** The pool, for single statements: `db.run((sql) => sql\`select 1\`)`. */
  run<A>(query: (sql: Sql) => Promise<A>): Effect.Effect<A, DatabaseError>
  /**
   * Runs `body` in one transaction on one reserved connection: committed when it succeeds,
   * rolled back when it fails or is interrupted.
   */
  transaction<A, E, R>(body: (tx: Sql) => Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R>
  /** `embedded` (PGlite in the data directory) or `external` (DATABASE_URL). */
  readonly mode: "embedded" | "external"
  /** Where it connects, without credentials, for start-up output. */
  readonly target: string
}

export class Database extends Context.Service<Database, DatabaseShape>()("loyaltea/db/Database") {}

/** Builds the service over an open postgres.js pool. */
export const makeDatabase = (pool: Sql, mode: DatabaseShape["mode"], target: string): DatabaseShape => ({
  mode,
  target,
  sql: pool,
  run: (query) => exec(() => query(pool)),
  transaction: (body) =>
    Effect.acquireUseRelease(
      exec(() => pool.reserve()),
      (conn) =>
        exec(() => conn`begin`).pipe(
          Effect.andThen(
            body(conn as unknown as Sql).pipe(
              Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : exec(() => conn`rollback`).pipe(Effect.ignore)))
            )
          ),
          // A failed COMMIT ends the transaction on the server, so there is nothing to roll back.
          Effect.tap(() => exec(() => conn`commit`))
        ),
      (conn) => Effect.sync(() => conn.release())
    )
})
