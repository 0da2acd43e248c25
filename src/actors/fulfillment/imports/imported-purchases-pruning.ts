import { Duration, Effect } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import { Database, type Sql } from "../../../db/database.ts"
import { pruneOlderThan } from "../../../kafka/processed-events-pruning.ts"
import { periodicJob } from "../../../platform/periodic-job.ts"

/** Deletes the record of purchases imported longer ago than the horizon; says how many. */
export const pruneImportedPurchases = (sql: Sql, horizonDays: number) => pruneOlderThan(sql, "fulfillment.imported_purchases", "imported_at", horizonDays)

/**
 * The record of imported purchases kept as long as the processed-event ids
 * (`LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS`): past it, a consumer would credit a purchase sent
 * again anyway, so the import's own record of it says nothing more. Pruned every
 * `LOYALTEA_PRUNE_INTERVAL_SECONDS` for the life of the scope, by every process.
 */
export const startImportedPurchasesPruning = Effect.gen(function*() {
  const db = yield* Database
  const { kafka, pruneIntervalSeconds } = yield* AppConfig
  const prune = pruneImportedPurchases(db.sql, kafka.processedEventsRetentionDays).pipe(
    Effect.flatMap((deleted) => (deleted > 0 ? Effect.logInfo(`fulfillment: pruned ${deleted} imported purchase id(s) past the retention horizon`) : Effect.void))
  )
  yield* periodicJob("imported purchases pruning", Duration.seconds(pruneIntervalSeconds), prune, { delayFirstRun: true })
})
