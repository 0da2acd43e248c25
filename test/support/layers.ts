import { Effect, Layer, ManagedRuntime, Option, Redacted } from "effect"
import { Kafka, logLevel } from "kafkajs"
import { AppConfig, type AppConfigShape } from "../../src/config/app-config.ts"
import { ApiKeys } from "../../src/actors/user/api-key-service.ts"
import { localChecks } from "../../src/actors/user/local-checks.ts"
import { SigningKeys } from "../../src/actors/user/signing-keys.ts"
import { Authenticator } from "../../src/auth/authenticator.ts"
import { RemoteAuthenticator } from "../../src/auth/authenticator-live.ts"
import { Revocations } from "../../src/auth/revocations.ts"
import { Database } from "../../src/db/database.ts"
import { MigrationsLive } from "../../src/db/migrations-layer.ts"
import { DatabaseLive } from "../../src/db/pool.ts"
import { createTestDatabase } from "./postgres.ts"
import { silentLog, startBroker } from "../../src/kafka/broker/index.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import { EventProducer, EventProducerLive } from "../../src/kafka/producer.ts"
import { ConsumerHealth } from "../../src/kafka/consumer-health.ts"
import { KafkaProbe, KafkaProbeLive } from "../../src/kafka/kafka-probe.ts"

/** A configuration as the process would read it, with overrides for a test. */
export const testConfig = (overrides: Partial<AppConfigShape> = {}): AppConfigShape => ({
  services: ["campaign", "reward", "fulfillment", "user", "console"],
  databaseUrl: Option.none(),
  database: { poolSize: 5, connectTimeoutMs: 5000, statementTimeoutMs: 30_000, idleInTransactionTimeoutMs: 30_000, callTimeoutMs: 35_000, statementLog: Option.none() },
  kafkaBrokers: Option.none(),
  dataDir: "./.loyaltea-test",
  httpHost: "127.0.0.1",
  corsOrigins: [],
  ports: { campaign: 9001, reward: 9002, fulfillment: 9003, user: 9004, console: 9000 },
  peers: { campaign: Option.none(), fulfillment: Option.none() },
  console: { rewardServiceUrl: Option.none() },
  embeddedBrokerPort: 9092,
  kafka: { clientId: "loyaltea-test", groupPrefix: "loyaltea-", topicPartitions: 3, replicationFactor: 1, sessionTimeoutMs: 10_000, consumersPerService: 3, processedEventsRetentionDays: 30, stallTimeoutMs: 60_000, createTopics: true, embeddedBrokerUsers: Option.none(), embeddedBrokerSuperUsers: [], ssl: false, sasl: Option.none() },
  auth: { adminUsername: Option.none(), adminPassword: Option.none(), trustProxy: false, trustedProxies: 1, userServiceUrl: "http://127.0.0.1:9004/", refreshTokenRetentionDays: 7, revocationPollMs: 100, revocationMaxStalenessMs: 60_000 },
  webhooks: { allowPrivate: true, retryForMs: 60_000, backoffBaseMs: 50, backoffMaxMs: 1000, timeoutMs: 2000, disableAfterMs: 86_400_000, disableAfterFailures: 20, pollMs: 50, logRetentionDays: 30 },
  logLevel: "Warn",
  logFormat: "pretty",
  shutdownTimeoutMs: 5000,
  lifecycleJobMs: 30_000,
  pruneIntervalSeconds: 3600,
  importMaxBytes: 1024 * 1024 * 1024,
  importStaleSeconds: 60,
  workers: 1,
  embeddedDatabaseSocket: Option.none(),
  supervisorPid: Option.none(),
  ...overrides
})

/** A real broker in memory for the life of the layer, and the process's client and producer over it. */
export const InMemoryKafka = Layer.effect(
  KafkaClient,
  Effect.acquireRelease(
    Effect.promise(() => startBroker({ port: 0, log: silentLog })),
    (broker) => Effect.promise(() => broker.close())
  ).pipe(Effect.map((broker) => ({
    kafka: new Kafka({ clientId: "loyaltea-test", brokers: [broker.address], logLevel: logLevel.NOTHING }),
    brokers: [broker.address],
    mode: "embedded" as const,
    target: broker.address
  })))
)

// Fresh: a test that builds the live producer over a broker of its own must not get this one instead.
const kafkaPlatform = Layer.mergeAll(Layer.fresh(EventProducerLive), KafkaProbeLive, ConsumerHealth.layer).pipe(Layer.provideMerge(InMemoryKafka))

/**
 * A service's use cases over a migrated database, as a runtime for HTTP and handler tests, with
 * credentials checked for real (the user service's keys and API-key table in the same database)
 * and a real in-memory broker under the process's Kafka client and producer.
 */
export const useCasesRuntime = <R>(
  url: string,
  useCases: Layer.Layer<R, unknown, AppConfig | Database | KafkaClient | EventProducer | KafkaProbe | ConsumerHealth | Authenticator | Revocations>,
  overrides: Partial<AppConfigShape> = {}
) =>
  ManagedRuntime.make(
    useCases.pipe(
      Layer.provideMerge(kafkaPlatform),
      Layer.provideMerge(Authenticator.layerFrom(localChecks)),
      Layer.provideMerge(Layer.merge(SigningKeys.layer, ApiKeys.layer)),
      Layer.provideMerge(Revocations.layer),
      Layer.provideMerge(MigrationsLive),
      Layer.provideMerge(DatabaseLive),
      Layer.provideMerge(Layer.succeed(AppConfig, testConfig({ databaseUrl: Option.some(Redacted.make(url)), ...overrides })))
    )
  )

/**
 * A service's use cases as a process without the user service runs them: credentials checked over
 * HTTP against the user service at `userServiceUrl` (its JWKS, introspection and revocation list).
 */
export const remoteUseCasesRuntime = <R>(
  url: string,
  userServiceUrl: string,
  useCases: Layer.Layer<R, unknown, AppConfig | Database | KafkaClient | EventProducer | KafkaProbe | ConsumerHealth | Revocations>,
  auth: Partial<AppConfigShape["auth"]> = {}
) =>
  ManagedRuntime.make(
    useCases.pipe(
      Layer.provideMerge(kafkaPlatform),
      Layer.provideMerge(RemoteAuthenticator),
      Layer.provideMerge(Revocations.layer),
      Layer.provideMerge(MigrationsLive),
      Layer.provideMerge(DatabaseLive),
      Layer.provideMerge(Layer.succeed(AppConfig, testConfig({
        services: ["campaign", "reward", "fulfillment"],
        databaseUrl: Option.some(Redacted.make(url)),
        auth: { ...testConfig().auth, userServiceUrl, ...auth }
      })))
    )
  )

/** Just the database at `url` (not migrated), as the process would open it. */
export const databaseRuntime = (url: string) =>
  ManagedRuntime.make(DatabaseLive.pipe(Layer.provide(Layer.succeed(AppConfig, testConfig({ databaseUrl: Option.some(Redacted.make(url)) })))))

/** A fresh database of its own with a plain runtime over it, and `sql` for a test's raw statements. */
export const scratchDatabase = async () => {
  const database = await createTestDatabase()
  const runtime = databaseRuntime(database.url)
  const sql = <T>(text: string) =>
    runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => db.run((s) => s.unsafe(text) as unknown as Promise<T>)))
  return {
    database,
    runtime,
    sql,
    close: async () => {
      await runtime.dispose()
      await database.drop()
    }
  }
}
