import { Effect, FiberSet, Schedule } from "effect"
import type { DatabaseError } from "../db/errors.ts"

/**
 * Looks for running jobs once a second and runs those this process is not running yet (a job
 * started here, or left running by a process that stopped or crashed); a job that fails is run
 * again at a later look. Two processes running one job meet on its row's lock, and the second
 * finds its offsets already moved.
 */
export const startJobRunner = <J, R>(options: {
  readonly name: string
  readonly running: Effect.Effect<ReadonlyArray<J>, DatabaseError>
  readonly idOf: (job: J) => string
  readonly run: (job: J) => Effect.Effect<void, unknown, R>
}) =>
  Effect.gen(function*() {
    const active = new Set<string>()
    const jobs = yield* FiberSet.make()
    const tick = options.running.pipe(
      Effect.flatMap((found) =>
        Effect.forEach(found.filter((job) => !active.has(options.idOf(job))), (job) => {
          const id = options.idOf(job)
          return FiberSet.run(jobs, Effect.sync(() => active.add(id)).pipe(
            Effect.andThen(options.run(job).pipe(Effect.tapCause((cause) => Effect.logError(`${options.name} ${id} stopped; it resumes`, cause)))),
            Effect.ensuring(Effect.sync(() => active.delete(id))),
            Effect.ignore
          ))
        }, { discard: true })
      ),
      Effect.catchCause((cause) => Effect.logWarning(`${options.name} jobs unreadable, trying again`, cause))
    )
    yield* tick.pipe(Effect.repeat(Schedule.spaced("1 second")), Effect.forkScoped)
  })
