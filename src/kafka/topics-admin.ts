import { Effect } from "effect"
import type { Admin } from "kafkajs"
import { AppConfig } from "../config/app-config.ts"
import { topicConfigs } from "../events/topics.ts"
import { KafkaClient, KafkaUnavailable } from "./kafka-client.ts"

/** Error types with which a cluster refuses CreateTopics for good (retrying changes nothing). */
const REFUSALS = new Set(["TOPIC_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED", "POLICY_VIOLATION", "UNSUPPORTED_VERSION", "INVALID_REQUEST"])
const UNSUPPORTED = new Set(["KafkaJSServerDoesNotSupportApiKey", "KafkaJSNotImplemented"])

interface KafkaError {
  readonly name?: string
  readonly type?: string
  readonly errors?: ReadonlyArray<KafkaError>
  readonly cause?: KafkaError
}

/** Why the cluster will not create topics (authorization, policy, no CreateTopics), or undefined for other failures. */
export const creationRefusal = (error: unknown): string | undefined => {
  const e = error as KafkaError | undefined
  if (!e || typeof e !== "object") return undefined
  if (e.name && UNSUPPORTED.has(e.name)) return "the cluster does not support CreateTopics"
  if (e.type && REFUSALS.has(e.type)) return `the cluster refused CreateTopics (${e.type})`
  for (const inner of [...(e.errors ?? []), ...(e.cause ? [e.cause] : [])]) {
    const reason = creationRefusal(inner)
    if (reason) return reason
  }
  return undefined
}

/** `buy (3 partitions), tenant (3 partitions, cleanup.policy=compact)`: what an operator must create. */
export const describeTopics = (topics: ReadonlyArray<string>, partitions: number) =>
  topics.map((topic) => {
    const settings = [`${partitions} partitions`, ...(topicConfigs[topic] ?? []).map((c) => `${c.name}=${c.value}`)]
    return `${topic} (${settings.join(", ")})`
  }).join(", ")

const missingOf = async (admin: Admin, topics: ReadonlyArray<string>) => {
  const existing = new Set(await admin.listTopics())
  return topics.filter((topic) => !existing.has(topic))
}

/**
 * Creates the topics that do not exist yet, with the configured partitions; existing ones are left
 * alone and nothing is asked of the cluster when all exist. On a cluster that refuses or does not
 * support topic creation, and with `LOYALTEA_CREATE_TOPICS=false`, it goes on when the topics exist
 * and otherwise fails with one line naming those to create.
 */
export const ensureTopics = (topics: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    const config = yield* AppConfig
    const { topicPartitions, replicationFactor, createTopics } = config.kafka
    const mustCreate = (missing: ReadonlyArray<string>, why: string) =>
      new KafkaUnavailable({ reason: `${why}; create these topics first: ${describeTopics(missing, topicPartitions)}` })
    const admin = kafka.admin()
    const created = yield* Effect.tryPromise({
      try: async () => {
        await admin.connect()
        try {
          const missing = await missingOf(admin, topics)
          if (missing.length === 0) return []
          if (!createTopics) throw mustCreate(missing, "LOYALTEA_CREATE_TOPICS=false")
          try {
            await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map((topic) => ({ topic, numPartitions: topicPartitions, replicationFactor, configEntries: [...(topicConfigs[topic] ?? [])] }))
            })
            return missing
          } catch (error) {
            const refusal = creationRefusal(error)
            if (!refusal) throw error
            // Someone else (an operator, another Loyaltea process) may have created them meanwhile.
            const still = await missingOf(admin, missing)
            if (still.length > 0) throw mustCreate(still, refusal)
            return []
          }
        } finally {
          await admin.disconnect()
        }
      },
      catch: (error) => error instanceof KafkaUnavailable ? error : new KafkaUnavailable({ reason: `creating topics: ${(error as Error).message ?? error}` })
    })
    if (created.length > 0) yield* Effect.logInfo(`created topics: ${created.join(", ")}`)
    return created
  })
