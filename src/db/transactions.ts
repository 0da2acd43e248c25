import { Cause, Effect, Exit } from "effect"
import type postgres from "postgres"
import { since, transactions } from "../observability/metrics.ts"
import { bounded } from "./bounded.ts"
import type { DedicatedConnection } from "./dedicated-connection.ts"
import { ConnectionLost, type DatabaseError, fromDriverError } from "./errors.ts"

type Sql = postgres.Sql<{}>
type ReservedSql = postgres.ReservedSql<{}>

const closedError = () => Object.assign(new Error("the transaction's connection closed"), { code: "CONNECTION_CLOSED" })

interface Reservation {
  readonly reserved: ReservedSql
  /** Whether the reserved connection has closed since it was handed over. */
  readonly lost: () => boolean
}

// The close count is read in the same tick the connection is handed over, before any I/O event
// can close it. A reservation that arrives after its caller gave up is handed straight back.
const reserve = (connection: DedicatedConnection) =>
  Effect.callback<Reservation, DatabaseError>((resume, signal) => {
    connection.sql.reserve().then(
      (reserved) => {
        if (signal.aborted) return reserved.release()
        const closuresAtStart = connection.closures()
        resume(Effect.succeed({ reserved, lost: () => connection.closures() !== closuresAtStart }))
      },
      (error) => resume(Effect.fail(fromDriverError(error)))
    )
  })

/**
 * The reserved connection as the body sees it: once the connection has closed, every statement
 * fails at once instead of being written to a dead socket (or, reconnected, running outside the
 * transaction). postgres.js starts a query a microtask after it is created, and a close arrives
 * as an I/O event, so checking at creation is enough.
 */
const guarded = (reserved: ReservedSql, lost: () => boolean): Sql => {
  const check = () => {
    if (lost()) throw closedError()
  }
  return new Proxy(reserved, {
    apply: (target, self, args) => (check(), Reflect.apply(target, self, args)),
    get: (target, key, receiver) => {
      const value = Reflect.get(target, key, receiver)
      return key === "unsafe" || key === "file" ? (...args: Array<unknown>) => (check(), (value as Function).apply(target, args)) : value
    }
  }) as unknown as Sql
}

// A failure the server reported leaves the session alive inside an aborted transaction: a
// rollback ends it. After anything else (no answer, a broken socket, an interruption mid-call)
// nobody knows what the connection is doing, so it is closed, never reused.
const serverAnswered = (cause: Cause.Cause<unknown>) =>
  cause.reasons.every((reason) => Cause.isFailReason(reason) && !(reason.error instanceof ConnectionLost))

export interface Transactions {
  run<A, E, R>(body: (tx: Sql) => Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R>
}

/**
 * Transactions over dedicated connections, one transaction per connection at a time. Waiting for
 * a free connection, reserving it and every statement are bounded by `callTimeoutMs`. A connection is
 * handed to the next transaction only if this one ended cleanly (commit or rollback answered);
 * otherwise its socket is destroyed and postgres.js opens a fresh one for the next use.
 */
export const makeTransactions = (connections: ReadonlyArray<DedicatedConnection>, callTimeoutMs: number) =>
  Effect.gen(function*() {
    // Most recently used first, so under light load the rest idle out and close.
    const free = [...connections]
    const waiting: Array<(connection: DedicatedConnection) => void> = []
    // Waiting, timing out and being interrupted are settled in one place, synchronously, so a
    // connection is never handed to a caller that has just stopped waiting for it.
    const lease = Effect.callback<DedicatedConnection, ConnectionLost>((resume, signal) => {
      const ready = free.pop()
      if (ready) return resume(Effect.succeed(ready))
      const stop = () => {
        clearTimeout(timer)
        const index = waiting.indexOf(handOver)
        if (index >= 0) waiting.splice(index, 1)
      }
      const handOver = (connection: DedicatedConnection) => {
        stop()
        resume(Effect.succeed(connection))
      }
      const timer = setTimeout(() => {
        stop()
        resume(Effect.fail(new ConnectionLost({ code: "CLIENT_TIMEOUT", message: `no database connection free within ${callTimeoutMs} ms` })))
      }, callTimeoutMs)
      waiting.push(handOver)
      signal.addEventListener("abort", stop)
    })
    const giveBack = (connection: DedicatedConnection) => Effect.sync(() => (waiting.length > 0 ? waiting[0]!(connection) : free.push(connection)))
    const call = <A>(what: string, run: () => Promise<A>) =>
      bounded(Effect.tryPromise({ try: run, catch: fromDriverError }), callTimeoutMs, what)

    const finish = (connection: DedicatedConnection, { lost, reserved }: Reservation, exit: Exit.Exit<unknown, unknown>) =>
      Effect.gen(function*() {
        if (lost()) return
        const clean = Exit.isSuccess(exit) || (serverAnswered(exit.cause) && Exit.isSuccess(yield* Effect.exit(call("rollback", () => reserved`rollback`))))
        if (clean && !lost()) return reserved.release()
        if (lost()) return
        const closures = connection.closures()
        connection.sockets.destroyAll("the transaction's connection was left in an unknown state; closed")
        // Handed on only once postgres.js has seen the close: a reservation made before that waits
        // in its queue, and postgres.js drops a waiting reservation when it reopens the connection.
        yield* Effect.promise(() => connection.closedMoreThan(closures)).pipe(Effect.timeout(callTimeoutMs), Effect.ignore)
      })

    const run = <A, E, R>(body: (tx: Sql) => Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const began = performance.now()
          const connection = yield* restore(lease)
          return yield* Effect.gen(function*() {
            const reservation = yield* restore(bounded(reserve(connection), callTimeoutMs, "reserving a connection"))
            const tx = guarded(reservation.reserved, reservation.lost)
            const exit = yield* Effect.exit(restore(
              call("begin", () => tx`begin`).pipe(
                Effect.andThen(body(tx)),
                // A failed COMMIT ends the transaction on the server, so there is nothing to roll back.
                Effect.tap(() => call("commit", () => tx`commit`))
              )
            ))
            yield* finish(connection, reservation, exit)
            transactions.observe({ outcome: Exit.isSuccess(exit) ? "commit" : "rollback" }, since(began))
            return yield* exit
          }).pipe(Effect.ensuring(giveBack(connection)))
        })
      )

    return { run } satisfies Transactions
  })
