import { Schema } from "effect"

/** A row conflicts with a unique key (SQLSTATE 23505). */
export class UniqueViolation extends Schema.TaggedError<UniqueViolation>()("UniqueViolation", {
  constraint: Schema.String,
  detail: Schema.String
}) {}

/** The transaction lost a race (40001 serialization failure, 40P01 deadlock); retrying is safe. */
export class SerializationFailure extends Schema.TaggedError<SerializationFailure>()("SerializationFailure", {
  code: Schema.String,
  message: Schema.String
}) {}

/** The server is unreachable or the connection broke; retry with backoff. */
export class ConnectionLost extends Schema.TaggedError<ConnectionLost>()("ConnectionLost", {
  code: Schema.String,
  message: Schema.String
}) {}

/** Any other failure: a bug or a constraint the caller did not anticipate. */
export class QueryFailed extends Schema.TaggedError<QueryFailed>()("QueryFailed", {
  code: Schema.String,
  message: Schema.String,
  constraint: Schema.optional(Schema.String)
}) {}

export type DatabaseError = UniqueViolation | SerializationFailure | ConnectionLost | QueryFailed

const connectionCodes = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH",
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"
])

const fieldOf = (error: unknown, key: string): string | undefined => {
  const value = (error as Record<string, unknown> | null)?.[key]
  return typeof value === "string" ? value : undefined
}

/** The one place that turns driver errors into the tagged errors above. */
export const fromDriverError = (error: unknown): DatabaseError => {
  const code = fieldOf(error, "code") ?? "UNKNOWN"
  const message = error instanceof Error ? error.message : String(error)
  const constraint = fieldOf(error, "constraint_name")
  if (code === "23505") return new UniqueViolation({ constraint: constraint ?? "", detail: fieldOf(error, "detail") ?? message })
  if (code === "40001" || code === "40P01") return new SerializationFailure({ code, message })
  // Class 08 is "connection exception"; 57P01-57P03 mean the server is going away.
  if (connectionCodes.has(code) || code.startsWith("08") || /^57P0[123]$/.test(code)) return new ConnectionLost({ code, message })
  return new QueryFailed({ code, message, constraint })
}

/** Whether retrying the same work later can succeed. */
export const isTransient = (error: DatabaseError): boolean =>
  error._tag === "SerializationFailure" || error._tag === "ConnectionLost"
