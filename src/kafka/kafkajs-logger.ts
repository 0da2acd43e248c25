import { Effect } from "effect"
import { logLevel, type logCreator } from "kafkajs"

/** kafkajs logs through the process's Effect logger, at warn and above (its info is chatty). */
export const kafkajsLogCreator = (log: (effect: Effect.Effect<void>) => void): logCreator => () => ({ level, log: entry }) => {
  const { message, ...fields } = entry
  const effect = level === logLevel.ERROR || level === logLevel.NOTHING
    ? Effect.logError(`kafka: ${message}`)
    : level === logLevel.WARN
    ? Effect.logWarning(`kafka: ${message}`)
    : Effect.logDebug(`kafka: ${message}`)
  log(effect.pipe(Effect.annotateLogs(Object.fromEntries(Object.entries(fields).filter(([key]) => key !== "stack" && key !== "timestamp").map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)])))))
}

export const kafkajsLogLevel = logLevel.WARN
