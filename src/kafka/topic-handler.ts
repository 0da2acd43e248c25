import type { Effect, Result, Schema } from "effect"
import type { Sql } from "../db/database.ts"
import type { DatabaseError } from "../db/errors.ts"
import { makeEventDecoder } from "./decode-event.ts"
import type { OutgoingMessage } from "./producer.ts"

/** A decoded event with where it came from. */
export interface Consumed<A> {
  /** Its identity in the batch (tenant and id): what the events it emits name as their cause. */
  readonly key: string
  readonly eventId: string
  readonly tenant: string
  /** When it happened (ms since the epoch): its `occurredAt`, else its record's timestamp. Every rule is judged on it. */
  readonly eventTime: number
  /** When its record was appended to the log (ms since the epoch): the same on every delivery of it. */
  readonly recordTime: number
  readonly event: A
  readonly partition: number
  readonly offset: string
}

/** An event a handler emits, naming the input event that caused it by its `key` (it is stored with that event). */
export interface Emitted extends OutgoingMessage {
  readonly cause: string
}

/** How one service handles one topic: decode, identify, and apply a batch inside a transaction. */
export interface TopicHandler<A, R = never> {
  readonly topic: string
  readonly decode: (value: Buffer | null) => Result.Result<A, string>
  /** The event's own id, when it carries one; otherwise one is derived from its offset. */
  readonly eventIdOf: (event: A) => string | undefined
  /** The tenant the event belongs to: ids are unique per tenant, never across tenants. */
  readonly tenantOf: (event: A) => string
  /** The time the event says it happened (ISO-8601), if it says; derived events carry their cause's. */
  readonly occurredAtOf: (event: A) => string | undefined
  /**
   * Whether an event for a tenant that does not exist is dead-lettered (every topic but `tenant`
   * itself, whose events are what makes tenants known).
   */
  readonly knownTenantsOnly: boolean
  /**
   * The name its events are recorded as processed under (default: the topic). A second consumer
   * of a topic in the same schema needs a name of its own, or each would see the other's events as
   * already processed.
   */
  readonly processedAs: string
  /**
   * Whether what does not decode (or names an unknown tenant) is sent to the topic's dead-letter
   * topic (default); a second consumer of a topic leaves that to the first, so each bad event is
   * dead-lettered once. An event that decodes but cannot be applied is always dead-lettered.
   */
  readonly deadLetters: boolean
  /**
   * The keys of the events this handler has any work for (absent: all of them). The others are
   * neither handled nor recorded as processed, so a handler whose work depends on what a tenant
   * configured (webhook endpoints) writes nothing for tenants that configured nothing. It must give
   * the same answer for an event on every delivery of it (judge on `recordTime`, not on now).
   */
  readonly concerned?: (tx: Sql, events: ReadonlyArray<Consumed<A>>) => Effect.Effect<ReadonlySet<string>, DatabaseError, R>
  /** Applies new (never seen) events; returns what they emit, published once the transaction commits. */
  readonly handle: (tx: Sql, events: ReadonlyArray<Consumed<A>>) => Effect.Effect<ReadonlyArray<Emitted>, DatabaseError, R>
}

export const topicHandler = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>, R>(options: {
  readonly topic: string
  readonly schema: S
  readonly eventIdOf: (event: S["Type"]) => string | undefined
  readonly tenantOf: (event: S["Type"]) => string
  readonly occurredAtOf?: (event: S["Type"]) => string | undefined
  readonly knownTenantsOnly?: boolean
  readonly processedAs?: string
  readonly deadLetters?: boolean
  readonly concerned?: TopicHandler<S["Type"], R>["concerned"]
  readonly handle: TopicHandler<S["Type"], R>["handle"]
}): TopicHandler<S["Type"], R> => ({
  ...(options.concerned === undefined ? {} : { concerned: options.concerned }),
  topic: options.topic,
  decode: makeEventDecoder(options.schema),
  eventIdOf: options.eventIdOf,
  tenantOf: options.tenantOf,
  occurredAtOf: options.occurredAtOf ?? (() => undefined),
  knownTenantsOnly: options.knownTenantsOnly ?? true,
  processedAs: options.processedAs ?? options.topic,
  deadLetters: options.deadLetters ?? true,
  handle: options.handle
})
