import { Effect } from "effect"
import { Database } from "../../src/db/database.ts"
import type { Sql } from "../../src/db/database.ts"
import { tenantEventId } from "../../src/events/tenant.ts"
import { Topics } from "../../src/events/topics.ts"
import { type Kafka, Partitioners } from "kafkajs"

/**
 * Registers tenants as if the user service had created them and every consuming service had read
 * them from topic `tenant` already: for tests of one service's routes or handlers without the
 * whole flow (the flow tests create tenants through the API and the topic).
 */
export const registerTenants = async (sql: Sql, ids: ReadonlyArray<string>, options: { allowEventsWithoutId?: boolean } = {}) => {
  const allow = options.allowEventsWithoutId ?? false
  for (const id of ids) {
    await sql`insert into users.tenants (id, name, allow_events_without_id) values (${id}, ${id}, ${allow}) on conflict do nothing`
    for (const schema of ["campaign", "reward", "fulfillment"]) {
      await sql`insert into ${sql(`${schema}.tenants`)} (id, name, allow_events_without_id, version) values (${id}, ${id}, ${allow}, 1) on conflict do nothing`
    }
  }
}

/** The same, through a test runtime's database. */
export const registerTenantsIn = (
  runtime: { runPromise: <A, E>(effect: Effect.Effect<A, E, Database>) => Promise<A> },
  ids: ReadonlyArray<string>,
  options: { allowEventsWithoutId?: boolean } = {}
) => runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(() => registerTenants(db.sql, ids, options))))

/** Publishes tenants to topic `tenant` as the user service would, for readers of the topic (the console). */
export const publishTenants = async (kafka: Kafka, ids: ReadonlyArray<string>) => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    await producer.send({
      topic: Topics.tenant,
      acks: -1,
      messages: ids.map((id) => ({ key: id, value: JSON.stringify({ tenant: id, name: id, allowEventsWithoutId: false, version: 1, eventId: tenantEventId(id, 1) }) }))
    })
  } finally {
    await producer.disconnect()
  }
}
