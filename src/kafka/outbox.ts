import { Effect } from "effect"
import { exec, type Sql } from "../db/database.ts"
import type { OutgoingMessage } from "./producer.ts"
import type { OutboxSchema } from "./service-schema.ts"

export interface OutboxBatch {
  readonly id: string
  readonly messages: ReadonlyArray<OutgoingMessage>
}

/** A batch's emitted events, written in its transaction as one row; its id, or none when it emits nothing. */
export const appendOutbox = (tx: Sql, schema: OutboxSchema, messages: ReadonlyArray<OutgoingMessage>) =>
  messages.length === 0
    ? Effect.succeed(undefined)
    : exec(() => tx<Array<{ id: string }>>`
        insert into ${tx(`${schema}.outbox`)} (messages)
        values (${JSON.stringify(messages.map(({ key, topic, value }) => ({ topic, key, value })))})
        returning id::text as id`).pipe(Effect.map((rows) => rows[0]!.id))

export const deleteOutbox = (sql: Sql, schema: OutboxSchema, ids: ReadonlyArray<string>) =>
  ids.length === 0
    ? Effect.void
    : exec(() => sql`delete from ${sql(`${schema}.outbox`)} where id = any(${ids as Array<string>}::bigint[])`).pipe(Effect.asVoid)

/**
 * Batches written at least `minAgeMs` ago and still there (their publication did not happen or
 * was not confirmed), oldest first, leased to the caller for `leaseMs`: one statement that commits
 * at once, so no transaction stays open while the caller talks to Kafka. Another relay skips rows
 * under a live lease; a relay that dies with a lease only delays its rows until the lease ends.
 */
export const leaseLeftovers = (sql: Sql, schema: OutboxSchema, limit: number, minAgeMs: number, leaseMs: number) =>
  exec(() => sql<Array<{ id: string; messages: string }>>`
    update ${sql(`${schema}.outbox`)} o set leased_until = now() + make_interval(secs => ${leaseMs / 1000})
    where o.id in (
      select id from ${sql(`${schema}.outbox`)}
      where created_at < now() - make_interval(secs => ${minAgeMs / 1000}) and (leased_until is null or leased_until < now())
      order by id limit ${limit}
      for update skip locked)
    returning o.id::text as id, o.messages`).pipe(
    Effect.map((rows): ReadonlyArray<OutboxBatch> =>
      rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))).map((row) => ({ id: row.id, messages: JSON.parse(row.messages) }))
    )
  )
