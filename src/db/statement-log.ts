import { closeSync, openSync, writeSync } from "node:fs"

/**
 * `LOYALTEA_STATEMENT_LOG=<file>` (DatabaseSettings.statementLog): every statement any client of
 * the process sends, one JSON line each `{ c, q, p, t }` (the client and its connection, the text,
 * the parameters, the time in ms), written synchronously so a reader knows the file holds
 * everything sent so far. For measuring the work per event (`bun run bench:work`); unset, no
 * client gets a debug hook.
 */
const files = new Map<string, number>()

const line = (client: string, connection: number, query: string, parameters: ReadonlyArray<unknown>) =>
  JSON.stringify({ c: `${client}/${connection}`, q: query, p: parameters, t: performance.timeOrigin + performance.now() }, (_, value) =>
    typeof value === "bigint" ? value.toString() : value) + "\n"

/** The postgres.js `debug` option for the client named `client`, when the log (`path`) is on. */
export const statementLog = (path: string | undefined, client: string): { debug?: (connection: number, query: string, parameters: Array<unknown>) => void } => {
  if (!path) return {}
  const out = files.get(path) ?? openSync(path, "a")
  files.set(path, out)
  return { debug: (connection, query, parameters) => void writeSync(out, line(client, connection, query, parameters)) }
}

process.once("exit", () => files.forEach((fd) => closeSync(fd)))
