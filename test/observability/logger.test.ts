import { describe, expect, test } from "bun:test"
import { Cause, Console, Effect } from "effect"
import { loggerLayer } from "../../src/observability/logger.ts"

const forged = "[1999-01-01T00:00:00.000Z] INFO (#1): login"
const username = `mallory\r\n${forged}`
const nasty = `esc\u001b[31m del\u007f nel\u0085 ls\u2028 rlo\u202e`

/** Everything the logger printed through the console, one entry per call. */
const printed = async (format: "pretty" | "json", program: Effect.Effect<void>) => {
  const calls: Array<string> = []
  const record = (...args: ReadonlyArray<unknown>) => void calls.push(args.map((arg) => (typeof arg === "string" ? arg : Bun.inspect(arg))).join(" "))
  const console = { log: record, error: record, info: record, warn: record, debug: record, trace: record, group: () => {}, groupEnd: () => {} }
  await Effect.runPromise(program.pipe(Effect.provide(loggerLayer(format, "Info")), Effect.provideService(Console.Console, console as unknown as Console.Console)))
  return calls
}

const hostileLogs = Effect.gen(function*() {
  yield* Effect.logWarning("login refused").pipe(Effect.annotateLogs({ username, address: "10.0.0.1", other: nasty }))
  yield* Effect.logInfo(`message with ${username}`, { field: username })
  yield* Effect.logError("request failed", Cause.fail(new Error(`bad user ${username}`, { cause: new Error(`inner ${username}`) }))).pipe(Effect.withLogSpan(`span\n${forged}`))
  yield* Effect.logWarning("a defect", Cause.die(new TypeError(`no ${username}`)), new Error(`logged ${username}`))
})

describe("log lines cannot be forged through logged values", () => {
  test("pretty: CR/LF and other controls in messages, annotations, spans and causes are escaped", async () => {
    const calls = await printed("pretty", hostileLogs)
    const lines = calls.join("\n").split("\n")
    expect(lines.filter((line) => line.startsWith("[1999"))).toEqual([])
    expect(calls.join("\n")).not.toMatch(/[\r\u001b\u007f\u0085\u2028\u202e]/)
    expect(calls.join("\n")).toContain(`mallory\\r\\n${forged}`)
    expect(calls.join("\n")).toContain("esc\\u001b[31m del\\u007f nel\\u0085 ls\\u2028 rlo\\u202e")
    // Causes and errors keep their stack frames on lines of their own, indented under the entry; their messages are one line.
    const after = lines.slice(lines.findIndex((line) => line.includes("request failed")) + 1)
    for (const text of ["bad user", "inner", "no mallory", "logged mallory"]) {
      const line = after.find((l) => l.includes(text))
      expect(line).toStartWith("  ")
      expect(line).toContain(`mallory\\r\\n${forged}`)
    }
    expect(after.some((line) => /^ {2,}at /.test(line))).toBe(true)
  })

  test("json: one valid JSON line per entry, every control escaped, the values intact", async () => {
    const calls = await printed("json", hostileLogs)
    expect(calls).toHaveLength(4)
    for (const line of calls) {
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/)
      expect(() => JSON.parse(line)).not.toThrow()
    }
    const [refused] = calls.map((line) => JSON.parse(line) as { annotations: Record<string, string> })
    expect(refused!.annotations.username).toBe(username)
    expect(refused!.annotations.other).toBe(nasty)
  })
})
