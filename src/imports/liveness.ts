import { Effect, Option } from "effect"
import { AppConfig, defaultImportStaleSeconds } from "../config/app-config.ts"

/** The stale horizon of this process's configuration (`LOYALTEA_IMPORT_STALE_SECONDS`). */
export const importStaleSeconds = Effect.serviceOption(AppConfig).pipe(
  Effect.map(Option.match({ onNone: () => defaultImportStaleSeconds, onSome: (config) => config.importStaleSeconds }))
)

/**
 * How often a running import touches its row: every 10 s, or four times within a shorter horizon,
 * so that a live import is never taken for stopped however slowly its client sends.
 */
export const heartbeatMillis = (staleSeconds: number) => Math.min(10_000, staleSeconds * 250)

/** How often each service looks for stopped imports: four times within the horizon, at most every 15 s. */
export const sweepMillis = (staleSeconds: number) => Math.min(15_000, staleSeconds * 250)

/** What a swept import's `failure` says. */
export const stoppedFailure = (staleSeconds: number) =>
  `the process applying the import stopped (no sign of it for ${staleSeconds} s); what was applied is kept in whole batches: ` +
  "post the same body again with the same ?id= to finish it"

/**
 * Runs `self` with `touch` repeated every `everyMs` beside it, for exactly as long as `self` runs:
 * the row of a running import shows it alive while its body is read, slowly or not, and while its
 * batches are applied. A touch that fails is logged and tried again at the next beat.
 */
export const whileBeating = (touch: Effect.Effect<unknown, unknown>, everyMs: number) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.scoped(Effect.gen(function*() {
      const beat = touch.pipe(Effect.catchCause((cause) => Effect.logWarning("an import's heartbeat failed", cause)))
      yield* Effect.sleep(everyMs).pipe(Effect.andThen(beat), Effect.forever, Effect.forkScoped)
      return yield* self
    }))
