import { Effect } from "effect"
import { AppConfig } from "../config/app-config.ts"
import { topicConfigs } from "../events/topics.ts"
import { KafkaClient, KafkaUnavailable } from "./kafka-client.ts"

/** Creates the topics that do not exist yet, with the configured partitions; existing ones are left alone. */
export const ensureTopics = (topics: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    const config = yield* AppConfig
    const admin = kafka.admin()
    yield* Effect.tryPromise({
      try: async () => {
        await admin.connect()
        try {
          const existing = new Set(await admin.listTopics())
          const missing = topics.filter((topic) => !existing.has(topic))
          if (missing.length > 0) {
            await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map((topic) => ({
                topic,
                numPartitions: config.kafka.topicPartitions,
                replicationFactor: config.kafka.replicationFactor,
                configEntries: [...(topicConfigs[topic] ?? [])]
              }))
            })
          }
          return missing
        } finally {
          await admin.disconnect()
        }
      },
      catch: (error) => new KafkaUnavailable({ reason: `creating topics: ${(error as Error).message ?? error}` })
    }).pipe(Effect.tap((created) => created.length > 0 ? Effect.logInfo(`created topics: ${created.join(", ")}`) : Effect.void))
  })
