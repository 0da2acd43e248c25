/**
 * kafkajs schedules its idle request-queue check with a negative delay; the runtime clamps it to
 * 1 ms (harmless) and prints a TimeoutNegativeWarning that would look like a fault at every start.
 * Every other warning is still printed.
 */
export const silenceKnownWarnings = () => {
  const original = process.listeners("warning")
  process.removeAllListeners("warning")
  process.on("warning", (warning) => {
    if (warning.name === "TimeoutNegativeWarning") return
    if (original.length === 0) console.warn(`${warning.name}: ${warning.message}`)
    for (const listener of original) listener(warning)
  })
}
