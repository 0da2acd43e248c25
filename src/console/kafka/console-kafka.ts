import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import type { Admin, Kafka, Producer } from "kafkajs"
import { AppConfig } from "../../config/app-config.ts"
import { KafkaClient, KafkaUnavailable } from "../../kafka/kafka-client.ts"
import { keyPartitioner } from "../../kafka/key-partitioner.ts"

export interface ConsoleKafkaShape {
  readonly kafka: Kafka
  readonly admin: Admin
  readonly producer: Producer
  /** A consumer group of the console's own, never shared (it reads, it never takes work away). */
  readonly groupId: (purpose: string) => string
  /** Whether a group is one of the console's own readers, to leave out of the lag table. */
  readonly isOwnGroup: (groupId: string) => boolean
  /** Tenants seen on topic `tenant` (never deleted, so only ever added to). */
  readonly knownTenants: Set<string>
}

/** The console's Kafka client: one admin and one producer for the life of the process. */
export class ConsoleKafka extends Context.Service<ConsoleKafka, ConsoleKafkaShape>()("loyaltea/console/ConsoleKafka") {
  static readonly layer = Layer.effect(
    ConsoleKafka,
    Effect.gen(function*() {
      const { kafka } = yield* KafkaClient
      const { kafka: settings } = yield* AppConfig
      const admin = kafka.admin()
      // The services' partitioner: a user's test events land on the partition their other events do.
      const producer = kafka.producer({ createPartitioner: keyPartitioner })
      yield* Effect.acquireRelease(
        Effect.tryPromise({ try: () => Promise.all([admin.connect(), producer.connect()]), catch: (error) => new KafkaUnavailable({ reason: String(error) }) }),
        () => Effect.promise(() => Promise.allSettled([admin.disconnect(), producer.disconnect()]))
      )
      const prefix = `${settings.groupPrefix}console-reader-`
      return {
        kafka,
        admin,
        producer,
        groupId: (purpose) => `${prefix}${purpose}-${randomUUID()}`,
        isOwnGroup: (groupId) => groupId.startsWith(prefix),
        knownTenants: new Set<string>()
      } satisfies ConsoleKafkaShape
    })
  )
}

export { kafkaCall } from "../../kafka/kafka-client.ts"
