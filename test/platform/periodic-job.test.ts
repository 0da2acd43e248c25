import { describe, expect, test } from "bun:test"
import { Cause, Effect, Exit, Layer, Logger, Scope } from "effect"
import { periodicJob, periodicJobLayer } from "../../src/platform/periodic-job.ts"

/** Runs `body` with a logger that keeps what it is given, and returns the kept lines. */
const capturingLogs = () => {
  const lines: Array<{ message: unknown; cause: Cause.Cause<unknown> }> = []
  const logger = Logger.make(({ cause, message }) => void lines.push({ message, cause }))
  return { lines, provide: Effect.provide(Logger.layer([logger])) }
}

describe("periodicJob", () => {
  test("runs the job again and again, every interval, until its scope closes", async () => {
    let runs = 0
    const program = Effect.gen(function*() {
      const scope = yield* Scope.make()
      yield* periodicJob("counter", "10 millis", Effect.sync(() => void runs++)).pipe(Scope.provide(scope))
      yield* Effect.sleep("200 millis")
      yield* Scope.close(scope, Exit.void)
      const atClose = runs
      yield* Effect.sleep("100 millis")
      return atClose
    })
    const atClose = await Effect.runPromise(program)
    expect(atClose).toBeGreaterThan(5)
    expect(runs).toBe(atClose)
  })

  test("a failing run, error or defect, is logged with its full cause and retried; the job goes on", async () => {
    let runs = 0
    const { lines, provide } = capturingLogs()
    const job = Effect.suspend(() => {
      runs++
      if (runs === 1) return Effect.fail(new Error("the database is away"))
      if (runs === 2) return Effect.die(new Error("a bug"))
      return Effect.void
    })
    await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      yield* periodicJob("flaky", "10 millis", job)
      yield* Effect.sleep("1500 millis")
    })).pipe(provide))
    expect(runs).toBeGreaterThan(4)
    const failures = lines.filter((line) => String(line.message).includes("flaky failed; retrying"))
    expect(failures).toHaveLength(2)
    expect(Cause.pretty(failures[0]!.cause)).toContain("the database is away")
    expect(Cause.pretty(failures[1]!.cause)).toContain("a bug")
  })

  test("the first run can wait one interval", async () => {
    let runs = 0
    await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      yield* periodicJob("later", "300 millis", Effect.sync(() => void runs++), { delayFirstRun: true })
      yield* Effect.sleep("100 millis")
    })))
    expect(runs).toBe(0)
  })

  test("as a layer, the job runs while the layer is alive and stops when it is released", async () => {
    let runs = 0
    const scope = await Effect.runPromise(Scope.make())
    await Effect.runPromise(Layer.buildWithScope(periodicJobLayer("layered", "10 millis", Effect.sync(() => void runs++)), scope))
    await Bun.sleep(150)
    await Effect.runPromise(Scope.close(scope, Exit.void))
    const atRelease = runs
    expect(atRelease).toBeGreaterThan(3)
    await Bun.sleep(100)
    expect(runs).toBe(atRelease)
  })
})
