import { Effect } from "effect"
import type { AppConfigShape } from "../config/app-config.ts"
import { Topics } from "../events/topics.ts"
import { type KafkaClientShape, KafkaUnavailable } from "../kafka/kafka-client.ts"
import { lazyAdmin } from "../kafka/lazy-admin.ts"
import type { ServiceSchema } from "../kafka/service-schema.ts"

/** The consumer group that copies the `tenant` topic into a service's own table. */
export const tenantGroupId = (config: AppConfigShape, schema: ServiceSchema) => `${config.kafka.groupPrefix}${schema}-tenants`

/**
 * Whether the service's copy of the tenants holds everything published so far: its group has
 * committed the end of every partition of `tenant`. A tenant the copy lacks while this holds does
 * not exist; one it lacks before is perhaps only on its way.
 */
export const tenantFeed = (kafka: KafkaClientShape, groupId: string) => {
  const { close, connected } = lazyAdmin(kafka.kafka)

  const caughtUp = Effect.tryPromise({
    try: async () => {
      const client = await connected()
      // No topic yet: nothing was ever published, so there is nothing to wait for.
      if (!(await client.listTopics()).includes(Topics.tenant)) return true
      const ends = await client.fetchTopicOffsets(Topics.tenant)
      const [committed] = await client.fetchOffsets({ groupId, topics: [Topics.tenant] })
      return ends.every((end) => {
        if (end.high === end.low) return true
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1"
        return BigInt(at) >= BigInt(end.high)
      })
    },
    catch: (error) => new KafkaUnavailable({ reason: `reading the tenant topic's progress: ${(error as Error).message ?? error}` })
  })

  return {
    /** Waits until the copy is complete, or `timeoutMs` passes (then the caller decides with what it has). */
    awaitCaughtUp: (timeoutMs: number) =>
      Effect.gen(function*() {
        const deadline = Date.now() + timeoutMs
        while (!(yield* caughtUp) && Date.now() < deadline) yield* Effect.sleep("100 millis")
      }),
    close: Effect.promise(close)
  }
}
