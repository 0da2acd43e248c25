import type postgres from "postgres"
import { type TrackedSockets, trackedSockets } from "./tracked-sockets.ts"

type Sql = postgres.Sql<{}>

/**
 * A postgres.js client of exactly one connection. With one connection, postgres.js's `onclose`
 * names it, so a transaction knows the moment its session is gone; in a shared pool nothing says
 * which reserved connection closed, and postgres.js (3.4) then lets a statement be written to the
 * closed connection (it never settles, and throws from a timer) and `release()` put the dead
 * connection back among the open ones, where every later query waits on it forever.
 */
export interface DedicatedConnection {
  readonly sql: Sql
  readonly sockets: TrackedSockets
  /** How many times its connection has closed so far. */
  readonly closures: () => number
  /** Resolves once its connection has closed more than `count` times. */
  readonly closedMoreThan: (count: number) => Promise<void>
}

/** `open` gets the options this wrapper needs set (one connection, our sockets, the close count). */
export const openDedicatedConnection = (
  open: (options: { readonly max: 1; readonly socket: TrackedSockets["open"]; readonly onclose: () => void }) => Sql
): DedicatedConnection => {
  const sockets = trackedSockets()
  let closures = 0
  let waiting: Array<{ readonly count: number; readonly resolve: () => void }> = []
  const onclose = () => {
    closures++
    const ready = waiting.filter((waiter) => closures > waiter.count)
    waiting = waiting.filter((waiter) => closures <= waiter.count)
    for (const waiter of ready) waiter.resolve()
  }
  const sql = open({ max: 1, socket: sockets.open, onclose })
  return {
    sql,
    sockets,
    closures: () => closures,
    closedMoreThan: (count) => (closures > count ? Promise.resolve() : new Promise((resolve) => void waiting.push({ count, resolve })))
  }
}
