import { Effect, Layer } from "effect"
import { followRevocations } from "../../auth/revocation-follower.ts"
import { AppConfig } from "../../config/app-config.ts"
import { Database } from "../../db/database.ts"
import { periodicJob } from "../../platform/periodic-job.ts"
import { pruneRevocations, revocationsSince } from "./revocation-repo.ts"
import { feedPageSize } from "./token-revocations.ts"

/**
 * The user service's processes follow each other's revocations in their own table (this one's
 * are in its list at once), and prune the ones that no token can need any more.
 */
export const RevocationSync = Layer.effectDiscard(Effect.gen(function*() {
  const db = yield* Database
  const { auth } = yield* AppConfig
  yield* followRevocations("revocation sync", (after) => revocationsSince(db.sql, after, feedPageSize), auth.revocationPollMs)
  const prune = pruneRevocations(db.sql).pipe(
    Effect.flatMap((deleted) => (deleted > 0 ? Effect.logDebug(`pruned ${deleted} expired token revocation(s)`) : Effect.void))
  )
  yield* periodicJob("revocation pruning", "1 minute", prune)
}))
