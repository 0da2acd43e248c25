import { Effect } from "effect"
import type { Sql } from "../db/database.ts"
import { exec } from "../db/database.ts"
import type { OutgoingMessage } from "./producer.ts"
import type { ServiceSchema } from "./service-schema.ts"

export interface OutboxRow extends OutgoingMessage {
  readonly id: string
}

/**
 * Events to publish are written in the same transaction as the state change that caused them;
 * their row ids come back so the caller can publish them as soon as the transaction commits.
 */
export const appendOutbox = (tx: Sql, schema: ServiceSchema, messages: ReadonlyArray<OutgoingMessage>) =>
  messages.length === 0
    ? Effect.succeed([] as ReadonlyArray<OutboxRow>)
    : exec(() => tx<Array<{ id: string }>>`
        insert into ${tx(`${schema}.outbox`)} (topic, key, value)
        select * from unnest(
          ${messages.map((m) => m.topic)}::text[],
          ${messages.map((m) => m.key) as Array<string>}::text[],
          ${messages.map((m) => m.value)}::text[])
        returning id::text as id`).pipe(
        // Rows come back in insertion order, which is the order of `messages`.
        Effect.map((rows): ReadonlyArray<OutboxRow> => rows.map((row, index) => ({ ...messages[index]!, id: row.id })))
      )

/**
 * Rows that were not published right after their transaction (a crash, a broker outage), oldest
 * first, locked so another relay of the same service skips them. Rows younger than `minAgeMs` are
 * left to the process that wrote them.
 */
export const claimLeftovers = (tx: Sql, schema: ServiceSchema, limit: number, minAgeMs: number) =>
  exec(() => tx<Array<OutboxRow>>`
    select id::text as id, topic, key, value from ${tx(`${schema}.outbox`)}
    where created_at < now() - make_interval(secs => ${minAgeMs / 1000})
    order by id limit ${limit}
    for update skip locked`)

export const deleteOutbox = (sql: Sql, schema: ServiceSchema, ids: ReadonlyArray<string>) =>
  exec(() => sql`delete from ${sql(`${schema}.outbox`)} where id = any(${ids as Array<string>}::bigint[])`)
