import { describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { readLog, units } from "../../bench/work/statement-log.ts"
import { testServerUrl } from "../support/postgres.ts"

const root = join(import.meta.dir, "..", "..")

// The log writes synchronously and closes its file at exit: a process of its own, configured as the app is.
const script = `
import postgres from "postgres"
import { Effect, Option } from "effect"
import { databaseSettings } from "./src/config/database-settings.ts"
import { statementLog } from "./src/db/statement-log.ts"
const file = Option.getOrUndefined((await Effect.runPromise(Effect.gen(function*() { return yield* databaseSettings }))).statementLog)
const pool = postgres(process.env.URL, { max: 1, onnotice: () => {}, ...statementLog(file, "pool") })
const tx = postgres(process.env.URL, { max: 1, onnotice: () => {}, ...statementLog(file, "tx0") })
await pool\`select \${1n}::int8 as one\`
const reserved = await tx.reserve()
await reserved\`begin\`
await reserved\`select \${"a"}::text as a, \${[1, 2]}::int[] as b\`
await reserved\`commit\`
await reserved\`select 2\`
reserved.release()
await pool.end()
await tx.end()
`

describe("statement log", () => {
  test("records every statement with its client, text and parameters; the bench cuts it into transactions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loyaltea-statement-log-"))
    const file = join(dir, "log.jsonl")
    try {
      const proc = Bun.spawn([process.execPath, "-e", script], { cwd: root, env: { ...process.env, URL: testServerUrl, LOYALTEA_STATEMENT_LOG: file }, stderr: "inherit" })
      expect(await proc.exited).toBe(0)
      // postgres.js reads the array types once per client when it connects; that is logged too.
      const log = readLog(file, 0, statSync(file).size).filter((line) => !line.q.includes("pg_catalog.pg_type"))
      expect(log.map((line) => [line.c.split("/")[0], line.q.trim()])).toEqual([
        ["pool", "select $1::int8 as one"],
        ["tx0", "begin"],
        ["tx0", "select $1::text as a, $2::int[] as b"],
        ["tx0", "commit"],
        ["tx0", "select 2"]
      ])
      expect(log[0]!.p).toEqual(["1"])
      expect(log[2]!.p).toEqual(["a", [1, 2]])
      // The statement after the commit belongs to no transaction and is left out.
      const cut = units(log)
      expect(cut.map((unit) => [unit.lane.split("/")[0], unit.inTransaction, unit.statements.length])).toEqual([["pool", false, 1], ["tx0", true, 3]])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test("without the variable no client gets a debug hook", async () => {
    const { statementLog } = await import("../../src/db/statement-log.ts")
    const { databaseSettings } = await import("../../src/config/database-settings.ts")
    const { ConfigProvider, Effect, Option } = await import("effect")
    const settings = await Effect.runPromise(databaseSettings.parse(ConfigProvider.fromEnvRecord({})))
    expect(settings.statementLog).toEqual(Option.none())
    expect(statementLog(undefined, "pool")).toEqual({})
  })
})
