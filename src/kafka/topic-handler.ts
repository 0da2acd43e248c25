import type { Effect, Result, Schema } from "effect"
import type { Sql } from "../db/database.ts"
import type { DatabaseError } from "../db/errors.ts"
import { makeEventDecoder } from "./decode-event.ts"
import type { OutgoingMessage } from "./producer.ts"

/** A decoded event with where it came from. */
export interface Consumed<A> {
  readonly eventId: string
  readonly event: A
  readonly partition: number
  readonly offset: string
}

/** An event a handler emits, naming the input event that caused it (it is stored with that event). */
export interface Emitted extends OutgoingMessage {
  readonly cause: string
}

/** How one service handles one topic: decode, identify, and apply a batch inside a transaction. */
export interface TopicHandler<A, R = never> {
  readonly topic: string
  readonly decode: (value: Buffer | null) => Result.Result<A, string>
  /** The event's own id, when it carries one; otherwise one is derived from its offset. */
  readonly eventIdOf: (event: A) => string | undefined
  /** Applies new (never seen) events; returns what they emit, published once the transaction commits. */
  readonly handle: (tx: Sql, events: ReadonlyArray<Consumed<A>>) => Effect.Effect<ReadonlyArray<Emitted>, DatabaseError, R>
}

export const topicHandler = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>, R>(options: {
  readonly topic: string
  readonly schema: S
  readonly eventIdOf: (event: S["Type"]) => string | undefined
  readonly handle: TopicHandler<S["Type"], R>["handle"]
}): TopicHandler<S["Type"], R> => ({
  topic: options.topic,
  decode: makeEventDecoder(options.schema),
  eventIdOf: options.eventIdOf,
  handle: options.handle
})
