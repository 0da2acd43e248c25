import { Cause, type Duration, Effect, Layer, type Scope, Schedule } from "effect"

export interface PeriodicJobOptions {
  /** The longest wait between retries of a failing run; the backoff starts at 200 ms. Default 1 minute. */
  readonly maxBackoff?: Duration.Input
  /** Wait `every` before the first run (default: the first run starts at once). */
  readonly delayFirstRun?: boolean
}

/**
 * Runs `job` every `every` (from the end of one run to the start of the next) for the life of the
 * enclosing scope, in a fiber of its own. A run that fails, with an error or a defect, is logged
 * with its full cause and retried with capped, jittered exponential backoff; the regular rhythm
 * resumes once it succeeds, so one bad run never stops the job and never spins. Closing the scope
 * interrupts the loop, also in the middle of a run or a wait.
 */
export const periodicJob = <E, R>(
  name: string,
  every: Duration.Input,
  job: Effect.Effect<void, E, R>,
  options: PeriodicJobOptions = {}
): Effect.Effect<void, never, R | Scope.Scope> => {
  const backoff = Schedule.min([Schedule.exponential("200 millis"), Schedule.spaced(options.maxBackoff ?? "1 minute")]).pipe(Schedule.jittered)
  const run = job.pipe(
    Effect.sandbox,
    Effect.tapError((cause) => Effect.logWarning(`${name} failed; retrying`, cause)),
    Effect.retry({ schedule: backoff, while: (cause) => !Cause.hasInterruptsOnly(cause) }),
    // Only an interruption gets past the retry; it ends the loop.
    Effect.catch((cause) => Effect.failCause(cause))
  )
  const loop = Effect.andThen(run, Effect.sleep(every)).pipe(Effect.forever)
  return (options.delayFirstRun ? Effect.andThen(Effect.sleep(every), loop) : loop).pipe(
    Effect.annotateLogs({ job: name }),
    Effect.forkScoped,
    Effect.asVoid
  )
}

/** `periodicJob` as a layer: the job runs while the layer is alive (e.g. among a service's actors). */
export const periodicJobLayer = <E, R>(name: string, every: Duration.Input, job: Effect.Effect<void, E, R>, options?: PeriodicJobOptions) =>
  Layer.effectDiscard(periodicJob(name, every, job, options))
