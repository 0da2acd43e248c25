import { Duration, Effect, Layer } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import { Database } from "../../../db/database.ts"
import { periodicJob } from "../../../platform/periodic-job.ts"
import { startWebhookConsumer } from "./consumer.ts"
import { pruneDeliveryLog } from "./delivery-log-repo.ts"
import { startWebhookRelay } from "./relay.ts"

const pruneBatch = 10_000
const dayMs = 86_400_000

/** Settled deliveries older than the retention go, a bounded chunk per statement, every `LOYALTEA_PRUNE_INTERVAL_SECONDS`. */
export const startDeliveryLogPruning = (now: () => number = Date.now) =>
  Effect.gen(function*() {
    const db = yield* Database
    const { pruneIntervalSeconds, webhooks } = yield* AppConfig
    const days = webhooks.logRetentionDays
    // The horizon is taken at each run (and each chunk), not once when the job starts.
    const pruneAll: Effect.Effect<void, unknown> = Effect.suspend(() => pruneDeliveryLog(db.sql, now() - days * dayMs, pruneBatch)).pipe(
      Effect.flatMap((deleted) => (deleted === pruneBatch ? pruneAll : Effect.void))
    )
    yield* periodicJob("webhook delivery log pruning", Duration.seconds(pruneIntervalSeconds), pruneAll)
  })

/** The webhook feed (a consumer group of its own), the relay that delivers its outbox, and its log's pruning. */
export const WebhookActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startWebhookConsumer
    yield* startWebhookRelay()
    yield* startDeliveryLogPruning()
  })
)
