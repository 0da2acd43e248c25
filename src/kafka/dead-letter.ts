import type { DeadLetter } from "../events/dead-letter.ts"
import { deadLetterTopic } from "../events/topics.ts"
import { truncated } from "../platform/bounded-text.ts"
import type { OutgoingMessage } from "./producer.ts"

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** A reason may quote a database message, which may quote the input: the original bytes are beside it anyway. */
export const maxReasonLength = 1000

const asText = (bytes: Buffer | null): { text: string | null; encoding: DeadLetter["valueEncoding"] } => {
  if (bytes === null) return { text: null, encoding: "utf8" }
  try {
    return { text: utf8.decode(bytes), encoding: "utf8" }
  } catch {
    return { text: bytes.toString("base64"), encoding: "base64" }
  }
}

export interface RawMessage {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  /** The record's timestamp (ms since the epoch, as text): an event's time when it names none. */
  readonly timestamp: string
}

/** The dead letter for a message: the (bounded) reason, where it sat, and its original bytes. */
export const deadLetterFor = (message: Omit<RawMessage, "timestamp">, error: string): OutgoingMessage => {
  const value = asText(message.value)
  const key = message.key === null ? null : asText(message.key).text
  const letter: DeadLetter = {
    error: truncated(error, maxReasonLength),
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key,
    value: value.text,
    valueEncoding: value.encoding
  }
  return { topic: deadLetterTopic(message.topic), key, value: JSON.stringify(letter) }
}

/** The dead letter for an event that decoded but cannot be applied (e.g. it names an unknown reward). */
export const deadLetterForEvent = (
  topic: string,
  consumed: { readonly key: string; readonly partition: number; readonly offset: string; readonly event: unknown },
  key: string,
  error: string
): OutgoingMessage & { readonly cause: string } => ({
  cause: consumed.key,
  ...deadLetterFor(
    { topic, partition: consumed.partition, offset: consumed.offset, key: Buffer.from(key), value: Buffer.from(JSON.stringify(consumed.event)) },
    error
  )
})

const isDeadLetter = (message: OutgoingMessage) => message.topic.endsWith(".dlq")

/**
 * One log line per dead letter among `emitted` (at most `max`, then a count): where the event sat
 * and why, so an operator can find it on the `.dlq` topic without reading the topic first.
 */
export const deadLetterLogLines = (emitted: ReadonlyArray<OutgoingMessage>, max = 20): ReadonlyArray<string> => {
  const letters = emitted.filter(isDeadLetter)
  const lines = letters.slice(0, max).map((message) => {
    const letter = JSON.parse(message.value as string) as DeadLetter
    return `dead letter: ${letter.topic} partition ${letter.partition} offset ${letter.offset} sent to ${message.topic}: ${letter.error}`
  })
  return letters.length > max ? [...lines, `dead letter: and ${letters.length - max} more in this batch`] : lines
}
