import { keyOf } from "../../src/kafka/processed-events.ts"
import type { RawMessage } from "../../src/kafka/dead-letter.ts"

/** Kafka messages as a consumer would fetch them, numbered from `firstOffset`. */
export const rawMessages = (topic: string, values: ReadonlyArray<unknown>, options: { partition?: number; firstOffset?: number; timestamp?: number } = {}): Array<RawMessage> =>
  values.map((value, index) => ({
    topic,
    partition: options.partition ?? 0,
    offset: String((options.firstOffset ?? 0) + index),
    key: Buffer.from("key"),
    value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
    timestamp: String(options.timestamp ?? Date.parse("2026-06-01T12:00:00Z"))
  }))

/** A decoded event as the batch processor hands it to a handler. */
export const consumedOf = <A extends { readonly tenant: string }>(event: A, eventId: string, offset: number, eventTime = Date.parse("2026-06-01T12:00:00Z")) => ({
  key: keyOf({ tenant: event.tenant, eventId }),
  eventId,
  tenant: event.tenant,
  eventTime,
  recordTime: eventTime,
  event,
  partition: 0,
  offset: String(offset)
})
