import { Layer, Logger, References } from "effect"
import type { LogLevel } from "effect/LogLevel"
import type { LogFormat } from "../config/parsers.ts"

/** JSON lines for log shippers (`LOG_FORMAT=json`), readable lines otherwise. */
export const loggerLayer = (format: LogFormat, level: LogLevel) =>
  Layer.mergeAll(
    Logger.layer([format === "json" ? Logger.consoleJson : Logger.consolePretty({ colors: "auto" })]),
    Layer.succeed(References.MinimumLogLevel, level)
  )
