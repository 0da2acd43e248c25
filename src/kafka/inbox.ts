import { Effect } from "effect"
import { exec, type Sql } from "../db/database.ts"
import { SerializationFailure } from "../db/errors.ts"
import type { OutgoingMessage } from "./producer.ts"
import type { ServiceSchema } from "./service-schema.ts"

/** An event the service has processed, with what it emitted (to publish again if need be). */
export interface Processed {
  readonly eventId: string
  readonly emitted: ReadonlyArray<OutgoingMessage>
}

const encode = (messages: ReadonlyArray<OutgoingMessage>) =>
  messages.length === 0 ? null : JSON.stringify(messages.map(({ key, topic, value }) => ({ topic, key, value })))

const decode = (text: string | null): ReadonlyArray<OutgoingMessage> => (text === null ? [] : JSON.parse(text))

/** Which of `ids` were processed before, with the events they emitted then. */
export const processedBefore = (tx: Sql, schema: ServiceSchema, topic: string, ids: ReadonlyArray<string>) =>
  ids.length === 0
    ? Effect.succeed(new Map<string, ReadonlyArray<OutgoingMessage>>())
    : exec(() => tx<Array<{ event_id: string; emitted: string | null }>>`
        select event_id, emitted from ${tx(`${schema}.processed_events`)}
        where topic = ${topic} and event_id = any(${ids as Array<string>}::text[])`).pipe(
        Effect.map((rows) => new Map(rows.map((row) => [row.event_id, decode(row.emitted)])))
      )

/**
 * Records events as processed, with what they emitted, in the transaction that applied them. The
 * unique key is the guard: if another consumer (a member the group had already replaced) recorded
 * one of them since `processedBefore`, the whole transaction is a lost race and is retried, and
 * the retry finds them processed.
 */
export const recordProcessed = (tx: Sql, schema: ServiceSchema, topic: string, events: ReadonlyArray<Processed>) =>
  events.length === 0
    ? Effect.void
    : exec(() => tx<Array<{ event_id: string }>>`
        insert into ${tx(`${schema}.processed_events`)} (topic, event_id, emitted)
        select ${topic}, event_id, emitted
        from json_to_recordset(${tx.json(events.map((e) => ({ event_id: e.eventId, emitted: encode(e.emitted) })))}::json)
          as t(event_id text, emitted text)
        on conflict do nothing
        returning event_id`).pipe(
        Effect.flatMap((rows) =>
          rows.length === events.length
            ? Effect.void
            : Effect.fail(new SerializationFailure({ code: "23505", message: `${events.length - rows.length} event(s) were processed concurrently` }))
        )
      )

/** The stored copies of published events are cleared: what stays is what still has to go out. */
export const markPublished = (sql: Sql, schema: ServiceSchema, topic: string, ids: ReadonlyArray<string>) =>
  ids.length === 0
    ? Effect.void
    : exec(() => sql`
        update ${sql(`${schema}.processed_events`)} set emitted = null
        where topic = ${topic} and event_id = any(${ids as Array<string>}::text[]) and emitted is not null`).pipe(Effect.asVoid)

export interface Unpublished {
  readonly topic: string
  readonly eventId: string
  readonly emitted: ReadonlyArray<OutgoingMessage>
}

/**
 * Events processed at least `minAgeMs` ago whose emitted events were never confirmed published
 * (a crash, an outage), oldest first, locked so another process's relay skips them.
 */
export const claimUnpublished = (tx: Sql, schema: ServiceSchema, limit: number, minAgeMs: number) =>
  exec(() => tx<Array<{ topic: string; event_id: string; emitted: string }>>`
    select topic, event_id, emitted from ${tx(`${schema}.processed_events`)}
    where emitted is not null and processed_at < now() - make_interval(secs => ${minAgeMs / 1000})
    order by seq limit ${limit}
    for update skip locked`).pipe(
    Effect.map((rows): ReadonlyArray<Unpublished> => rows.map((row) => ({ topic: row.topic, eventId: row.event_id, emitted: decode(row.emitted) })))
  )
