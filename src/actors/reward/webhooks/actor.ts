import { Effect, Layer } from "effect"
import { startWebhookConsumer } from "./consumer.ts"
import { startWebhookRelay } from "./relay.ts"

/** The webhook feed (a consumer group of its own) and the relay that delivers its outbox. */
export const WebhookActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startWebhookConsumer
    yield* startWebhookRelay()
  })
)
