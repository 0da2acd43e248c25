import { Context, Effect, Layer } from "effect"
import type { Admin } from "kafkajs"
import { KafkaClient } from "../kafka/kafka-client.ts"
import { lazyAdmin } from "../kafka/lazy-admin.ts"

export interface PartitionLag {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly lag: number
}

export interface ConsumerLagShape {
  /** Each partition's messages past the group's committed offset, for the given groups. */
  readonly of: (groups: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<PartitionLag>, Error>
}

/**
 * Reads consumer lag from Kafka itself, as Kafka's own tools do (committed offsets against the
 * partitions' ends), so a stuck consumer shows a growing lag even though it reports nothing.
 * One admin connection per process, opened on first use and closed with the layer.
 */
export class ConsumerLag extends Context.Service<ConsumerLag, ConsumerLagShape>()("loyaltea/observability/ConsumerLag") {
  static readonly layer = Layer.effect(
    ConsumerLag,
    Effect.gen(function*() {
      const { kafka } = yield* KafkaClient
      const { close, connected } = lazyAdmin(kafka)
      yield* Effect.addFinalizer(() => Effect.promise(close))
      const ofGroup = async (client: Admin, group: string): Promise<Array<PartitionLag>> => {
        const committed = await client.fetchOffsets({ groupId: group })
        const rows: Array<PartitionLag> = []
        for (const topic of committed) {
          const ends = await client.fetchTopicOffsets(topic.topic)
          for (const end of ends) {
            const at = topic.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1"
            // Never committed: everything from the log's start is still to be read.
            const from = BigInt(at) < 0n ? BigInt(end.low) : BigInt(at)
            rows.push({ group, topic: topic.topic, partition: end.partition, lag: Number(BigInt(end.high) - from) })
          }
        }
        return rows
      }
      return {
        of: (groups) =>
          Effect.tryPromise({
            try: async () => {
              const client = await connected()
              return (await Promise.all(groups.map((group) => ofGroup(client, group)))).flat()
            },
            catch: (error) => (error instanceof Error ? error : new Error(String(error)))
          })
      }
    })
  )
}
