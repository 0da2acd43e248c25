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

/** Whether a batch written before `id` is still waiting to be published (its events must go out first). */
export const hasOlderUnpublished = (sql: Sql, schema: OutboxSchema, id: string) =>
  exec(() => sql<Array<{ older: boolean }>>`
    select exists (select 1 from ${sql(`${schema}.outbox`)} where id < ${id}::bigint) as older`).pipe(Effect.map((rows) => rows[0]?.older === true))

/**
 * Batches written at least `minAgeMs` ago and still there (their publication did not happen or
 * was not confirmed), oldest first, leased to the caller for `leaseMs`: one statement that commits
 * at once, so no transaction stays open while the caller talks to Kafka. While another relay holds
 * a lease on older rows none are taken, so batches go out in the order they were written (a
 * compacted topic then keeps each key's newest message last); a relay that dies with a lease only
 * delays its rows until the lease ends.
 */
export const leaseLeftovers = (sql: Sql, schema: OutboxSchema, limit: number, minAgeMs: number, leaseMs: number) =>
  exec(() => sql<Array<{ id: string; messages: string }>>`
    update ${sql(`${schema}.outbox`)} o set leased_until = now() + make_interval(secs => ${leaseMs / 1000})
    where o.id in (
      select c.id from ${sql(`${schema}.outbox`)} c
      where c.created_at < now() - make_interval(secs => ${minAgeMs / 1000}) and (c.leased_until is null or c.leased_until < now())
        and not exists (select 1 from ${sql(`${schema}.outbox`)} held where held.leased_until >= now() and held.id < c.id)
      order by c.id limit ${limit}
      for update skip locked)
    returning o.id::text as id, o.messages`).pipe(
    Effect.map((rows): ReadonlyArray<OutboxBatch> =>
      rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))).map((row) => ({ id: row.id, messages: JSON.parse(row.messages) }))
    )
  )
