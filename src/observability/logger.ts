import { Cause, type Fiber, Layer, Logger, References } from "effect"
import type { LogLevel } from "effect/LogLevel"
import type { LogFormat } from "../config/parsers.ts"

// C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional overrides:
// whatever can end a line, or change how a line reads, in a terminal or a log viewer.
const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const short: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }
const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`

/** `text` with every control character written as an escape (`\n`, `\u001b`): one line, read as it is. */
export const escapeControls = (text: string): string => text.replace(controls, (c) => short[c] ?? unicodeEscape(c))

const isPlainObject = (value: object) => Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null

/** Lines of a multi-line text (a stack trace), each escaped and indented under the entry it belongs to. */
const indented = (text: string) => text.split("\n").map((line) => `  ${escapeControls(line)}`).join("\n")

/**
 * An error as `Cause.pretty` renders it, but with its message (which may quote a username, say)
 * escaped onto one line; the stack frames keep their lines, and causes nest below.
 */
const renderError = (error: Error, seen: Set<unknown> = new Set([error])): string => {
  const head = `${error.name}: ${error.message}`
  const stack = error.stack ?? head
  const frames = stack.startsWith(head) ? stack.slice(head.length) : `\n${stack}`
  const text = escapeControls(head) + frames.split("\n").map(escapeControls).join("\n")
  const inner = error.cause
  if (!(inner instanceof Error) || seen.has(inner)) return text
  seen.add(inner)
  return `${text} {\n${indented(`[cause]: ${renderError(inner, seen)}`)}\n}`
}

/**
 * A logged value as the pretty format prints it: text escaped, a plain object or array as one
 * line of JSON (escaped too), an error as its indented stack; anything else as the console shows it.
 */
const escapeValue = (value: unknown): unknown => {
  if (typeof value === "string") return escapeControls(value)
  if (value instanceof Error) return indented(renderError(value))
  if (value !== null && typeof value === "object" && isPlainObject(value)) {
    try {
      return escapeControls(JSON.stringify(value))
    } catch {
      return value
    }
  }
  return value
}

/** A cause, one error after another, every line indented under the entry it belongs to. */
const indentedCause = (cause: Cause.Cause<unknown>) => Cause.prettyErrors(cause).map((error) => indented(renderError(error))).join("\n")

/** The fiber as the logger sees it, with its annotations and span labels escaped. */
const escapedFiber = (fiber: Fiber.Fiber<unknown, unknown>): Fiber.Fiber<unknown, unknown> => {
  const annotations = Object.fromEntries(
    Object.entries(fiber.getRef(References.CurrentLogAnnotations)).map(([key, value]) => [escapeControls(key), escapeValue(value)])
  )
  const spans = fiber.getRef(References.CurrentLogSpans).map(([label, at]): [string, number] => [escapeControls(label), at])
  const getRef = (reference: unknown) =>
    reference === References.CurrentLogAnnotations ? annotations
    : reference === References.CurrentLogSpans ? spans
    : fiber.getRef(reference as never)
  return Object.create(fiber, { getRef: { value: getRef } })
}

/**
 * Effect's readable lines, with every logged value escaped: the message, the annotations, the
 * span labels and the cause. A username holding CR/LF would otherwise print a forged entry.
 */
const prettyLogger = (() => {
  const pretty = Logger.consolePretty({ colors: "auto" })
  return Logger.make<unknown, void>((options) => {
    const parts = (Array.isArray(options.message) ? options.message : [options.message]).map((part) => escapeValue(part))
    const hasCause = options.cause.reasons.length > 0
    const message = hasCause ? [...parts.slice(0, 1), indentedCause(options.cause), ...parts.slice(1)] : parts
    pretty.log({ ...options, message, cause: hasCause ? Cause.empty : options.cause, fiber: escapedFiber(options.fiber) })
  })
})()

/**
 * One JSON object per line. `JSON.stringify` escapes the C0 controls but leaves DEL, the C1
 * controls and U+2028/U+2029 raw inside strings; they are escaped too, which keeps the line
 * valid JSON that parses to the same values.
 */
const jsonLogger = Logger.withConsoleLog(Logger.map(Logger.formatJson, (line) => line.replace(controls, unicodeEscape)))

/** JSON lines for log shippers (`LOG_FORMAT=json`), readable lines otherwise. */
export const loggerLayer = (format: LogFormat, level: LogLevel) =>
  Layer.mergeAll(
    Logger.layer([format === "json" ? jsonLogger : prettyLogger]),
    Layer.succeed(References.MinimumLogLevel, level)
  )
