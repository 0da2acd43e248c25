import { Effect } from "effect"
import { exec, type Sql } from "../db/database.ts"
import type { OutgoingMessage } from "./producer.ts"
import type { ServiceSchema } from "./service-schema.ts"

export interface OutboxBatch {
  readonly id: string
  readonly messages: ReadonlyArray<OutgoingMessage>
}

/** A batch's emitted events, written in its transaction as one row; its id, or none when it emits nothing. */
export const appendOutbox = (tx: Sql, schema: ServiceSchema, messages: ReadonlyArray<OutgoingMessage>) =>
  messages.length === 0
    ? Effect.succeed(undefined)
    : exec(() => tx<Array<{ id: string }>>`
        insert into ${tx(`${schema}.outbox`)} (messages)
        values (${JSON.stringify(messages.map(({ key, topic, value }) => ({ topic, key, value })))})
        returning id::text as id`).pipe(Effect.map((rows) => rows[0]!.id))

export const deleteOutbox = (sql: Sql, schema: ServiceSchema, ids: ReadonlyArray<string>) =>
  ids.length === 0
    ? Effect.void
    : exec(() => sql`delete from ${sql(`${schema}.outbox`)} where id = any(${ids as Array<string>}::bigint[])`).pipe(Effect.asVoid)

/**
 * Batches written at least `minAgeMs` ago and still there (their publication did not happen or
 * was not confirmed), oldest first, locked so another process's relay skips them.
 */
export const claimLeftovers = (tx: Sql, schema: ServiceSchema, limit: number, minAgeMs: number) =>
  exec(() => tx<Array<{ id: string; messages: string }>>`
    select id::text as id, messages from ${tx(`${schema}.outbox`)}
    where created_at < now() - make_interval(secs => ${minAgeMs / 1000})
    order by id limit ${limit}
    for update skip locked`).pipe(
    Effect.map((rows): ReadonlyArray<OutboxBatch> => rows.map((row) => ({ id: row.id, messages: JSON.parse(row.messages) })))
  )
