import type { Sql } from "../db/database.ts"
import { exec } from "../db/database.ts"
import type { OutgoingMessage } from "./producer.ts"
import type { ServiceSchema } from "./service-schema.ts"

/** Events to publish are written in the same transaction as the state change that caused them. */
export const appendOutbox = (tx: Sql, schema: ServiceSchema, messages: ReadonlyArray<OutgoingMessage>) =>
  exec(async () => {
    if (messages.length === 0) return
    await tx`
      insert into ${tx(`${schema}.outbox`)} (topic, key, value)
      select * from unnest(
        ${messages.map((m) => m.topic)}::text[],
        ${messages.map((m) => m.key) as Array<string>}::text[],
        ${messages.map((m) => m.value)}::text[])`
  })

export interface OutboxRow extends OutgoingMessage {
  readonly id: string
}

/** The oldest unsent rows, locked so another relay of the same service skips them. */
export const claimOutbox = (tx: Sql, schema: ServiceSchema, limit: number) =>
  exec(() => tx<Array<OutboxRow>>`
    select id::text as id, topic, key, value from ${tx(`${schema}.outbox`)}
    order by id limit ${limit}
    for update skip locked`)

export const deleteOutbox = (tx: Sql, schema: ServiceSchema, ids: ReadonlyArray<string>) =>
  exec(() => tx`delete from ${tx(`${schema}.outbox`)} where id = any(${ids as Array<string>}::bigint[])`)
