import { Schema } from "effect"

/** A Kafka record as the console shows it: where it sits, its key, headers and value as text. */
export const ConsoleRecord = Schema.Struct({
  topic: Schema.String,
  partition: Schema.Int,
  offset: Schema.String,
  /** The record's timestamp, ISO-8601. */
  timestamp: Schema.String,
  key: Schema.NullOr(Schema.String),
  headers: Schema.Record(Schema.String, Schema.String),
  value: Schema.NullOr(Schema.String)
}).annotate({ identifier: "ConsoleRecord" })
export type ConsoleRecord = typeof ConsoleRecord.Type

interface KafkajsMessage {
  readonly offset: string
  readonly timestamp: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers?: Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>
}

const text = (value: Buffer | string | ReadonlyArray<Buffer | string> | undefined): string =>
  value === undefined ? "" : Array.isArray(value) ? value.map(text).join(", ") : value.toString()

export const recordOf = (topic: string, partition: number, message: KafkajsMessage): ConsoleRecord => ({
  topic,
  partition,
  offset: message.offset,
  timestamp: new Date(Number(message.timestamp)).toISOString(),
  key: message.key?.toString() ?? null,
  headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, text(value)])),
  value: message.value?.toString() ?? null
})

const parsed = (value: string | null): unknown => {
  if (value === null) return undefined
  try {
    return JSON.parse(value)
  } catch {
    return undefined
  }
}

/** The JSON object a record carries, when it is one. */
export const jsonOf = (value: string | null): Record<string, unknown> | undefined => {
  const json = parsed(value)
  return json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined
}

/**
 * The tenant a record belongs to: its value's `tenant`, a dead letter's original value's, else
 * the key's `tenant:` part. Undefined when nothing names one (then only the platform admin sees it).
 */
export const tenantOf = (record: Pick<ConsoleRecord, "key" | "value">): string | undefined => {
  const json = jsonOf(record.value)
  if (typeof json?.tenant === "string") return json.tenant
  if (json && typeof json.value === "string" && typeof json.error === "string") {
    const original = jsonOf(json.value)
    if (typeof original?.tenant === "string") return original.tenant
  }
  if (record.key && record.key.includes(":")) return record.key.slice(0, record.key.indexOf(":"))
  if (json && typeof json.key === "string" && json.key.includes(":")) return json.key.slice(0, json.key.indexOf(":"))
  return undefined
}
