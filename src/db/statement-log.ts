import { closeSync, openSync, writeSync } from "node:fs"

/**
 * `LOYALTEA_STATEMENT_LOG=<file>`: every statement any client of the process sends, one JSON line
 * each `{ c, q, p, t }` (the client and its connection, the text, the parameters, the time in ms),
 * written synchronously so a reader knows the file holds everything sent so far. For measuring
 * the work per event (`bun run bench:work`); unset, no client gets a debug hook.
 */
const path = process.env.LOYALTEA_STATEMENT_LOG
let fd: number | undefined

const line = (client: string, connection: number, query: string, parameters: ReadonlyArray<unknown>) =>
  JSON.stringify({ c: `${client}/${connection}`, q: query, p: parameters, t: performance.timeOrigin + performance.now() }, (_, value) =>
    typeof value === "bigint" ? value.toString() : value) + "\n"

/** The postgres.js `debug` option for the client named `client`, when the log is on. */
export const statementLog = (client: string): { debug?: (connection: number, query: string, parameters: Array<unknown>) => void } => {
  if (!path) return {}
  fd ??= openSync(path, "a")
  const out = fd
  return { debug: (connection, query, parameters) => void writeSync(out, line(client, connection, query, parameters)) }
}

process.once("exit", () => fd !== undefined && closeSync(fd))
