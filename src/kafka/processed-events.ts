import type { Sql } from "../db/database.ts"
import { exec } from "../db/database.ts"
import type { ServiceSchema } from "./service-schema.ts"

/** An event's identity: its id is unique within its tenant (and topic), never across tenants. */
export interface EventKey {
  readonly tenant: string
  readonly eventId: string
}

export const keyOf = (key: EventKey) => `${key.tenant}\u0000${key.eventId}`

/**
 * Records `keys` as processed for `topic` and returns those that were not yet: the unique key
 * (tenant, topic, event id) turns a replayed or redelivered event into a no-op inside the same
 * transaction as its effects, and one tenant's ids can never swallow another tenant's events.
 * Ids recorded before ids were kept per tenant (`processed_events_legacy`) still count, for any
 * tenant, until they age out.
 */
export const markProcessed = (tx: Sql, schema: ServiceSchema, topic: string, keys: ReadonlyArray<EventKey>) =>
  exec(async () => {
    if (keys.length === 0) return new Set<string>()
    const rows = await tx<Array<{ tenant: string; event_id: string }>>`
      insert into ${tx(`${schema}.processed_events`)} (tenant, topic, event_id)
      select k.tenant, ${topic}, k.event_id
      from unnest(${keys.map((k) => k.tenant)}::text[], ${keys.map((k) => k.eventId)}::text[]) as k(tenant, event_id)
      where not exists (select 1 from ${tx(`${schema}.processed_events_legacy`)} l where l.topic = ${topic} and l.event_id = k.event_id)
      on conflict do nothing
      returning tenant, event_id`
    return new Set(rows.map((row) => keyOf({ tenant: row.tenant, eventId: row.event_id })))
  })
