import { keyOf } from "../../src/kafka/processed-events.ts"
import type { RawMessage } from "../../src/kafka/dead-letter.ts"

/** Kafka messages as a consumer would fetch them, numbered from `firstOffset`. */
export const rawMessages = (topic: string, values: ReadonlyArray<unknown>, options: { partition?: number; firstOffset?: number } = {}): Array<RawMessage> =>
  values.map((value, index) => ({
    topic,
    partition: options.partition ?? 0,
    offset: String((options.firstOffset ?? 0) + index),
    key: Buffer.from("key"),
    value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === "string" ? value : JSON.stringify(value))
  }))

/** A decoded event as the batch processor hands it to a handler. */
export const consumedOf = <A extends { readonly tenant: string }>(event: A, eventId: string, offset: number) => ({
  key: keyOf({ tenant: event.tenant, eventId }),
  eventId,
  tenant: event.tenant,
  event,
  partition: 0,
  offset: String(offset)
})
