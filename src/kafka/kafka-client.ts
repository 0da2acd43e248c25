import { resolve } from "node:path"
import { Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { Kafka, type SASLOptions } from "kafkajs"
import { AppConfig, type AppConfigShape } from "../config/app-config.ts"
import { parseUsers, readUsersFile } from "./broker/auth/credentials.ts"
import { startBroker } from "./broker/index.ts"
import type { SaslOptions } from "./broker/options.ts"
import { countBrokerRequest } from "../observability/metrics.ts"
import { embeddedBrokerLog } from "./embedded-broker-log.ts"
import { kafkajsLogCreator, kafkajsLogLevel } from "./kafkajs-logger.ts"

export class KafkaUnavailable extends Schema.TaggedError<KafkaUnavailable>()("KafkaUnavailable", {
  reason: Schema.String
}) {
  override get message() {
    return `Kafka is unavailable: ${this.reason}`
  }
}

/** A kafkajs call as an effect: Kafka out of reach is a KafkaUnavailable (a 503 for a request), never a crash. */
export const kafkaCall = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (error) => new KafkaUnavailable({ reason: error instanceof Error ? error.message : String(error) }) })

export interface KafkaClientShape {
  readonly kafka: Kafka
  readonly brokers: ReadonlyArray<string>
  readonly mode: "embedded" | "external"
  /** For start-up output. */
  readonly target: string
}

export class KafkaClient extends Context.Service<KafkaClient, KafkaClientShape>()("loyaltea/kafka/KafkaClient") {}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * SASL for the embedded broker when it has users: the services log in to it with `KAFKA_SASL_*` like any
 * client and, as its owners, are super users (other principals get what ACLs grant them).
 */
const embeddedSasl = (config: AppConfigShape): Effect.Effect<SaslOptions | undefined, KafkaUnavailable> =>
  Effect.gen(function*() {
    const source = Option.getOrUndefined(config.kafka.embeddedBrokerUsers)
    if (!source) return undefined
    const own = Option.getOrUndefined(config.kafka.sasl)
    if (!own) {
      return yield* new KafkaUnavailable({
        reason: "the embedded broker has SASL users (LOYALTEA_BROKER_SASL_USERS*), so the services need KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD to log in to it"
      })
    }
    const users = yield* Effect.try({
      try: () => ("file" in source ? readUsersFile(source.file) : parseUsers(Redacted.value(source.inline), "LOYALTEA_BROKER_SASL_USERS", true)),
      catch: (error) => new KafkaUnavailable({ reason: `the embedded broker's SASL users: ${reasonOf(error)}` })
    })
    return { users, superUsers: [...new Set([`User:${own.username}`, ...config.kafka.embeddedBrokerSuperUsers])] }
  })

/** The project's own single-node broker, its log kept in `<dataDir>/kafka`. */
const embeddedBroker = (config: AppConfigShape) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const log = yield* embeddedBrokerLog
      const sasl = yield* embeddedSasl(config)
      return yield* Effect.tryPromise({
        try: () =>
          startBroker({
            host: "127.0.0.1",
            port: config.embeddedBrokerPort,
            dataDir: resolve(config.dataDir, "kafka"),
            defaultPartitions: config.kafka.topicPartitions,
            sasl,
            log,
            onRequest: countBrokerRequest
          }),
        catch: (error) =>
          new KafkaUnavailable({
            reason: (error as { code?: unknown }).code === "EADDRINUSE"
              ? `the embedded broker cannot listen on 127.0.0.1:${config.embeddedBrokerPort}: another process listens there (set LOYALTEA_BROKER_PORT, or KAFKA_BROKERS for an external Kafka)`
              : `the embedded broker did not start on 127.0.0.1:${config.embeddedBrokerPort}: ${reasonOf(error)}`
          })
      })
    }),
    (broker) => Effect.promise(() => broker.close())
  )

const saslOf = (config: AppConfigShape): SASLOptions | undefined =>
  Option.getOrUndefined(Option.map(config.kafka.sasl, (sasl) => ({
    mechanism: sasl.mechanism,
    username: sasl.username,
    password: Redacted.value(sasl.password)
  }) as SASLOptions))

/** Real Kafka when `KAFKA_BROKERS` is set, otherwise the embedded broker started here. */
export const KafkaClientLive = Layer.effect(
  KafkaClient,
  Effect.gen(function*() {
    const config = yield* AppConfig
    const context = yield* Effect.context<never>()
    const log = (effect: Effect.Effect<void>) => Effect.runFork(effect.pipe(Effect.provideContext(context)))
    const external = Option.getOrUndefined(config.kafkaBrokers)
    const brokers = external ?? [(yield* embeddedBroker(config)).address]
    const kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: [...brokers],
      ssl: config.kafka.ssl,
      sasl: saslOf(config),
      logLevel: kafkajsLogLevel,
      logCreator: kafkajsLogCreator(log),
      retry: { initialRetryTime: 100, retries: 8 }
    })
    return {
      kafka,
      brokers,
      mode: external ? "external" : "embedded",
      target: external ? `Kafka at ${brokers.join(",")}` : `embedded broker on ${brokers[0]} (log in ${resolve(config.dataDir, "kafka")})`
    } satisfies KafkaClientShape
  })
)
