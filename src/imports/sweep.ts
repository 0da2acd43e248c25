import { Effect } from "effect"
import { AppConfig } from "../config/app-config.ts"
import { Database } from "../db/database.ts"
import { periodicJob } from "../platform/periodic-job.ts"
import { stoppedFailure, sweepMillis } from "./liveness.ts"
import { type ImportSchema, sweepStaleJobs } from "./repo.ts"

/**
 * The service's imports left `running` by a process that stopped (killed, crashed) marked `failed`
 * once their row has gone `LOYALTEA_IMPORT_STALE_SECONDS` without a heartbeat, for the life of the
 * scope: their failure says to post the body again with the same `?id=`. Every process does it;
 * two sweeping the same job mark it once.
 */
export const startImportSweep = (schema: ImportSchema) =>
  Effect.gen(function*() {
    const db = yield* Database
    const { importStaleSeconds } = yield* AppConfig
    const sweep = sweepStaleJobs(db.sql, schema, importStaleSeconds, stoppedFailure(importStaleSeconds)).pipe(
      Effect.flatMap((swept) =>
        Effect.forEach(swept, (job) =>
          Effect.logWarning(`${schema}: import ${job.id} of tenant ${job.tenant} had no sign of its process for ${importStaleSeconds} s; marked failed`), { discard: true }))
    )
    yield* periodicJob(`${schema} import sweep`, `${sweepMillis(importStaleSeconds)} millis`, sweep)
  })
