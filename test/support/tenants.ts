import { Effect } from "effect"
import { Database } from "../../src/db/database.ts"
import type { Sql } from "../../src/db/database.ts"

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
