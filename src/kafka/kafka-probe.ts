import { Context, Effect, Layer } from "effect"
import type { Admin } from "kafkajs"
import { KafkaClient, KafkaUnavailable } from "./kafka-client.ts"

export interface KafkaProbeShape {
  /** Succeeds when a broker answers a metadata request within `timeoutMs`. */
  check(timeoutMs: number): Effect.Effect<void, KafkaUnavailable>
}

/** Whether Kafka answers right now, for `/ready` of the services that consume or produce events. */
export class KafkaProbe extends Context.Service<KafkaProbe, KafkaProbeShape>()("loyaltea/kafka/KafkaProbe") {}

/** One admin client, kept while it works and replaced after a failure (no retries: one attempt per check). */
export const KafkaProbeLive = Layer.effect(
  KafkaProbe,
  Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    let admin: Admin | undefined
    const drop = () => {
      const dropped = admin
      admin = undefined
      return dropped ? dropped.disconnect().catch(() => {}) : Promise.resolve()
    }
    yield* Effect.addFinalizer(() => Effect.promise(drop))
    return {
      check: (timeoutMs) =>
        Effect.tryPromise({
          try: async () => {
            const current = admin ?? (admin = kafka.admin({ retry: { retries: 0 } }))
            await current.connect()
            await current.describeCluster()
          },
          catch: (error) => new KafkaUnavailable({ reason: error instanceof Error ? error.message : String(error) })
        }).pipe(
          Effect.timeoutOrElse({ duration: timeoutMs, orElse: () => Effect.fail(new KafkaUnavailable({ reason: `no answer within ${timeoutMs} ms` })) }),
          Effect.tapError(() => Effect.sync(() => void drop()))
        )
    } satisfies KafkaProbeShape
  })
)
