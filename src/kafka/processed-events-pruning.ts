import { Duration, Effect } from "effect"
import { AppConfig } from "../config/app-config.ts"
import { Database, exec, type Sql } from "../db/database.ts"
import { periodicJob } from "../platform/periodic-job.ts"
import type { ServiceSchema } from "./service-schema.ts"

// Small enough that no delete holds its locks long or bloats one transaction.
const chunk = 10_000

const dayMs = 86_400_000

/** Deletes the rows of `table` whose `column` is older than the horizon (a fraction of a day too), a bounded chunk per statement; says how many. */
export const pruneOlderThan = (sql: Sql, table: string, column: string, horizonDays: number) =>
  Effect.gen(function*() {
    let total = 0
    while (true) {
      const rows = yield* exec(() => sql`
        delete from ${sql(table)} where ctid = any(array(
          select ctid from ${sql(table)} where ${sql(column)} < now() - make_interval(secs => ${(horizonDays * dayMs) / 1000}) limit ${chunk}))
        returning 1`)
      total += rows.length
      if (rows.length < chunk) return total
    }
  })

/**
 * Deletes the ids of events processed longer ago than the horizon (a fraction of a day too), of
 * every tenant, and those from before ids were per tenant.
 */
export const pruneProcessedEvents = (sql: Sql, schema: ServiceSchema, horizonDays: number) =>
  Effect.all([
    pruneOlderThan(sql, `${schema}.processed_events`, "processed_at", horizonDays),
    pruneOlderThan(sql, `${schema}.processed_events_legacy`, "processed_at", horizonDays)
  ]).pipe(
    Effect.map(([current, legacy]) => current + legacy)
  )

/**
 * The service's processed-event ids past `LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS`, pruned every
 * `LOYALTEA_PRUNE_INTERVAL_SECONDS` (an hour) for the life of the scope, the first time one interval
 * after start (every process does it; deleting the same rows twice is harmless).
 */
export const startProcessedEventsPruning = (schema: ServiceSchema) =>
  Effect.gen(function*() {
    const db = yield* Database
    const { kafka, pruneIntervalSeconds } = yield* AppConfig
    const prune = pruneProcessedEvents(db.sql, schema, kafka.processedEventsRetentionDays).pipe(
      Effect.flatMap((deleted) => (deleted > 0 ? Effect.logInfo(`${schema}: pruned ${deleted} processed-event id(s) past the retention horizon`) : Effect.void))
    )
    yield* periodicJob(`${schema} processed-events pruning`, Duration.seconds(pruneIntervalSeconds), prune, { delayFirstRun: true })
  })
