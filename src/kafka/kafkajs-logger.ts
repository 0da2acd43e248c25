import { Effect } from "effect"
import { logLevel, type logCreator } from "kafkajs"

// kafkajs logs every error answer from a broker at error level, and a rebalance as a warning, even
// when it handles them itself (a member rejoins, a topic another process just created exists).
// What it cannot handle reaches our code, which logs it; these are kept for debugging.
const handledByKafkajs = (message: string) => message.startsWith("Response ") || message.startsWith("The group is rebalancing")

/** kafkajs logs through the process's Effect logger, at warn and above (its info is chatty). */
export const kafkajsLogCreator = (log: (effect: Effect.Effect<void>) => void): logCreator => () => ({ level, log: entry }) => {
  const { message, ...fields } = entry
  const effect = handledByKafkajs(message)
    ? Effect.logDebug(`kafka: ${message}`)
    : level === logLevel.ERROR || level === logLevel.NOTHING
    ? Effect.logError(`kafka: ${message}`)
    : level === logLevel.WARN
    ? Effect.logWarning(`kafka: ${message}`)
    : Effect.logDebug(`kafka: ${message}`)
  log(effect.pipe(Effect.annotateLogs(Object.fromEntries(Object.entries(fields).filter(([key]) => key !== "stack" && key !== "timestamp").map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)])))))
}

export const kafkajsLogLevel = logLevel.WARN
