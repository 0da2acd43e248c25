import { Cause, Option } from "effect"

const oneLine = (text: string) => text.replace(/\s*\n\s*at /g, " at ").replace(/\s*\n\s*/g, "; ")

/** A start-up failure as one readable line (no stack trace): what failed and why. */
export const describeStartupFailure = (cause: Cause.Cause<unknown>): string => {
  // A typed failure if there is one, else whatever the defect was.
  const value: unknown = Option.getOrElse(Cause.findErrorOption(cause), () => Cause.squash(cause))
  if (value && typeof value === "object" && (value as { _tag?: unknown })._tag === "ConfigError") {
    const message = String((value as { cause: unknown }).cause)
    const match = /^SchemaError\((.*)\)$/s.exec(message)
    const text = oneLine(match?.[1] ?? message)
    const at = /^(.*) at \["([A-Z_]+)"\](.*)$/.exec(text)
    return at ? `invalid configuration: ${at[2]}${at[3]}: ${at[1]}` : `invalid configuration: ${text}`
  }
  if (value instanceof Error || (value && typeof value === "object" && "message" in value)) {
    return oneLine(String((value as { message: unknown }).message))
  }
  return oneLine(String(value))
}
