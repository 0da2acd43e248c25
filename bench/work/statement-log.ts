import { readFileSync } from "node:fs"

/** One line of `LOYALTEA_STATEMENT_LOG`: client/connection, text, parameters, time (ms). */
export interface LoggedStatement {
  readonly c: string
  readonly q: string
  readonly p: ReadonlyArray<unknown>
  readonly t: number
}

/** The statements a connection sent between two points: a transaction (begin … commit/rollback) or one statement of the pool. */
export interface Unit {
  readonly lane: string
  readonly statements: ReadonlyArray<LoggedStatement>
  readonly inTransaction: boolean
  /** When its first statement was sent, and its last. */
  readonly start: number
  readonly end: number
}

/** The lines written between byte offsets `from` and `to`. */
export const readLog = (file: string, from: number, to: number): Array<LoggedStatement> =>
  readFileSync(file).subarray(from, to).toString("utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as LoggedStatement)

const keyword = (q: string) => q.trim().split(/\s+/, 1)[0]!.toLowerCase()

/**
 * The log cut into units, in the order they started. A transaction connection's statements
 * before its first `begin` in the window (a transaction begun earlier) are left out, as is a
 * transaction not finished at the window's end.
 */
export const units = (log: ReadonlyArray<LoggedStatement>): Array<Unit> => {
  const open = new Map<string, Array<LoggedStatement>>()
  const out: Array<Unit> = []
  for (const statement of log) {
    const word = keyword(statement.q)
    if (statement.c.startsWith("pool/")) {
      out.push({ lane: statement.c, statements: [statement], inTransaction: false, start: statement.t, end: statement.t })
      continue
    }
    if (word === "begin") {
      open.set(statement.c, [statement])
      continue
    }
    const current = open.get(statement.c)
    if (!current) continue
    current.push(statement)
    if (word === "commit" || word === "rollback") {
      open.delete(statement.c)
      out.push({ lane: statement.c, statements: current, inTransaction: true, start: current[0]!.t, end: statement.t })
    }
  }
  return out.sort((a, b) => a.start - b.start)
}

/** Statements by their first keyword and the table they write (`insert into x`, `update x`, …), most frequent first. */
export const statementKinds = (log: ReadonlyArray<LoggedStatement>) => {
  const kinds = new Map<string, number>()
  for (const { q } of log) {
    const text = q.replace(/\s+/g, " ").trim().toLowerCase()
    const write = /^(?:with .*?\) )?(insert into|update|delete from) ([a-z_."]+)/.exec(text)
    const kind = write ? `${write[1]} ${write[2]}` : text.startsWith("with") ? "with … (read)" : keyword(text)
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  return [...kinds].sort((a, b) => b[1] - a[1])
}
