import { Effect } from "effect"
import type { BrokerLog, LogFields } from "./broker/index.ts"

/** The embedded broker's log lines go through the process's Effect logger. */
export const embeddedBrokerLog = Effect.gen(function*() {
  const context = yield* Effect.context<never>()
  const emit = (effect: Effect.Effect<void>, fields?: LogFields) =>
    Effect.runFork(effect.pipe(Effect.annotateLogs({ component: "broker", ...(fields ?? {}) }), Effect.provideContext(context)))
  return {
    info: (message, fields) => emit(Effect.logDebug(message), fields),
    warn: (message, fields) => emit(Effect.logWarning(message), fields),
    error: (message, fields) => emit(Effect.logError(message), fields)
  } satisfies BrokerLog
})
