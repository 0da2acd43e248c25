import { Duration, Effect, Layer } from "effect"
import { AppConfig } from "../../config/app-config.ts"
import { Database } from "../../db/database.ts"
import { periodicJob } from "../../platform/periodic-job.ts"
import { pruneRefreshTokens } from "./refresh-token-repo.ts"

/** Refresh tokens older than the retention horizon, pruned every `LOYALTEA_PRUNE_INTERVAL_SECONDS` (the first time one interval after start). */
export const SessionPruning = Layer.effectDiscard(Effect.gen(function*() {
  const db = yield* Database
  const { auth, pruneIntervalSeconds } = yield* AppConfig
  const prune = pruneRefreshTokens(db.sql, auth.refreshTokenRetentionDays).pipe(
    Effect.flatMap((deleted) => (deleted > 0 ? Effect.logInfo(`pruned ${deleted} refresh token(s) past the retention horizon`) : Effect.void))
  )
  yield* periodicJob("refresh-token pruning", Duration.seconds(pruneIntervalSeconds), prune, { delayFirstRun: true })
}))
