import type { Sql } from "../db/database.ts"
import { exec } from "../db/database.ts"
import type { ServiceSchema } from "./service-schema.ts"

/**
 * Records `ids` as processed for `topic` and returns those that were not yet: the unique key
 * turns a replayed or redelivered event into a no-op inside the same transaction as its effects.
 */
export const markProcessed = (tx: Sql, schema: ServiceSchema, topic: string, ids: ReadonlyArray<string>) =>
  exec(async () => {
    if (ids.length === 0) return new Set<string>()
    const rows = await tx<Array<{ event_id: string }>>`
      insert into ${tx(`${schema}.processed_events`)} (topic, event_id)
      select ${topic}, id from unnest(${ids as Array<string>}::text[]) as id
      on conflict do nothing
      returning event_id`
    return new Set(rows.map((row) => row.event_id))
  })
