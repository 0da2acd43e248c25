import { Schema, SchemaTransformation } from "effect"
import { ServiceName, serviceNames } from "./service-name.ts"

const splitList = (value: string): ReadonlyArray<string> =>
  value.split(",").map((part) => part.trim()).filter((part) => part.length > 0)

// The transformations only reshape text; the target schema then validates every element,
// which is why their outputs may be typed as the target's encoded form.

/** `all` or a comma list of service names; kept in port order, unknown names left for the check to name. */
export const ServiceList = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Array(ServiceName).check(Schema.isMinLength(1, { message: "names no service; use `all` or e.g. `campaign,reward`" })),
    SchemaTransformation.transform({
      decode: (value: string) => {
        const names = splitList(value.toLowerCase())
        if (names.includes("all")) return serviceNames
        const known = serviceNames.filter((name) => names.includes(name))
        const unknown = names.filter((name) => !(serviceNames as ReadonlyArray<string>).includes(name))
        return [...unknown, ...known] as ReadonlyArray<ServiceName>
      },
      encode: (names: ReadonlyArray<string>) => names.join(",")
    })
  )
)

/** `host:port[,host:port]` bootstrap servers. */
export const BrokerList = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Array(Schema.String.check(Schema.isPattern(/^[^\s:,]+:\d{1,5}$/, { message: "each broker must be host:port" })))
      .check(Schema.isMinLength(1, { message: "lists no broker" })),
    SchemaTransformation.transform({ decode: splitList, encode: (list: ReadonlyArray<string>) => list.join(",") })
  )
)

/**
 * `https://shop.example,http://localhost:5173`: exact origins as a browser sends them, so each is
 * `scheme://host[:port]` with no path, no trailing slash and no wildcard (which would let any site in).
 */
export const CorsOrigins = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Array(Schema.String.check(Schema.isPattern(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, {
      message: "each origin must be scheme://host[:port] exactly as a browser sends it, e.g. https://app.example.com (no path, slash or wildcard)"
    }))),
    SchemaTransformation.transform({ decode: splitList, encode: (list: ReadonlyArray<string>) => list.join(",") })
  )
)

/** `User:a,User:b` Kafka principals. */
export const PrincipalList = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Array(Schema.String.check(Schema.isPattern(/^User:[^\s,]+$/, { message: "each principal must be User:<name>" }))),
    SchemaTransformation.transform({ decode: splitList, encode: (list: ReadonlyArray<string>) => list.join(",") })
  )
)

const LogLevelLiteral = Schema.Literals(["All", "Trace", "Debug", "Info", "Warn", "Error", "Fatal", "None"])
const levelByName: Record<string, typeof LogLevelLiteral.Type> = {
  all: "All", trace: "Trace", debug: "Debug", info: "Info", warn: "Warn", warning: "Warn", error: "Error", fatal: "Fatal", none: "None"
}

/** Log level names in any case (`debug`, `INFO`, `warning`). */
export const LogLevelName = Schema.String.pipe(
  Schema.decodeTo(
    LogLevelLiteral,
    SchemaTransformation.transform({
      decode: (value: string) => levelByName[value.trim().toLowerCase()] ?? (value as typeof LogLevelLiteral.Type),
      encode: (level: string) => level.toLowerCase()
    })
  )
)

export const LogFormat = Schema.Literals(["pretty", "json"])
export type LogFormat = typeof LogFormat.Type

/** A whole number no smaller than `minimum` (a count, a number of days or milliseconds). */
export const WholeAtLeast = (minimum: number) => Schema.Int.check(Schema.isGreaterThanOrEqualTo(minimum, { message: `must be a whole number of at least ${minimum}` }))

/**
 * A retention in days above 0, fractions allowed (`0.5` is twelve hours, `0.002` under three
 * minutes): short ones are for benchmarks and tests that want pruning to happen while they run.
 */
export const PositiveDays = Schema.Finite.check(Schema.isGreaterThan(0, { message: "must be a number of days above 0 (fractions allowed, e.g. 0.5)" }))

/** Reverse proxies in front of a service: at least one when the forwarding header is trusted at all. */
export const ProxyHops = Schema.NumberFromString.check(
  Schema.isInt({ message: "must be a whole number of proxies" }),
  Schema.isBetween({ minimum: 1, maximum: 16 }, { message: "must be between 1 and 16 proxies" })
)

/** Processes the default start spreads over. */
export const WorkerCount = Schema.NumberFromString.check(
  Schema.isInt({ message: "must be a whole number of processes" }),
  Schema.isBetween({ minimum: 1, maximum: 64 }, { message: "must be between 1 and 64 processes" })
)

/** A bound in whole milliseconds; 0 (no bound) is not offered, since nothing may wait forever. */
export const Millis = Schema.Int.check(Schema.isGreaterThan(0, { message: "must be a whole number of milliseconds above 0" }))
