import { Effect, Layer } from "effect"
import { AppConfig } from "../../config/app-config.ts"
import { startImportSweep } from "../../imports/sweep.ts"
import { startProcessedEventsPruning } from "../../kafka/processed-events-pruning.ts"
import { startSupervisedConsumer } from "../../kafka/supervised-consumer.ts"
import { startTenantConsumer } from "../../tenants/tenant-consumer.ts"
import { creditHandler } from "./credit-handler.ts"
import { reversalHandler } from "./reversals/handler.ts"
import { startLifecycleJob } from "./lifecycle/jobs.ts"

export { creditHandler } from "./credit-handler.ts"
export { reversalHandler } from "./reversals/handler.ts"

export const RewardActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startSupervisedConsumer({ schema: "reward", handlers: [creditHandler, reversalHandler] })
    yield* startTenantConsumer("reward")
    yield* startProcessedEventsPruning("reward")
    yield* startImportSweep("reward")
    // Pending points activate and points expire within this long of their date.
    const config = yield* AppConfig
    yield* startLifecycleJob(`${config.lifecycleJobMs} millis`)
  })
)
