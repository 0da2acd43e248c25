import { resolve } from "node:path"
import { Cause, Context, Effect, Exit, Layer, Option, Runtime } from "effect"
import { AuthenticatorLive } from "./auth/authenticator-live.ts"
import { Revocations } from "./auth/revocations.ts"
import { AppConfig, appConfig, type AppConfigShape } from "./config/app-config.ts"
import { Database } from "./db/database.ts"
import { MigrationsLive } from "./db/migrations-layer.ts"
import { socketPathFor } from "./db/embedded-postgres.ts"
import { DatabaseLive } from "./db/pool.ts"
import { ConsumerLag } from "./observability/consumer-lag.ts"
import { loggerLayer } from "./observability/logger.ts"
import { KafkaClient, KafkaClientLive } from "./kafka/kafka-client.ts"
import { ConsumerHealth } from "./kafka/consumer-health.ts"
import { KafkaProbeLive } from "./kafka/kafka-probe.ts"
import { EventProducerLive } from "./kafka/producer.ts"
import { ensureTopics } from "./kafka/topics-admin.ts"
import { allTopics } from "./events/topics.ts"
import { type ServiceLayer, services } from "./services.ts"
import { announce } from "./startup/banner.ts"
import { checkStartupConfig } from "./startup/check-config.ts"
import { describeStartupFailure } from "./startup/describe-error.ts"
import { runMain } from "./startup/run-main.ts"
import { silenceKnownWarnings } from "./startup/quiet-warnings.ts"
import { exitWithSupervisor, startWorkers, workerPlan } from "./startup/workers.ts"

const usesKafka = (config: AppConfigShape) => config.services.some((service) => services[service].usesKafka)

// A process running only services without events (the user service) starts no Kafka client or broker.
const KafkaPlatformLayer = Layer.effectDiscard(ensureTopics(allTopics)).pipe(
  Layer.provideMerge(Layer.mergeAll(EventProducerLive, KafkaProbeLive, ConsumerHealth.layer, ConsumerLag.layer)),
  Layer.provideMerge(KafkaClientLive)
)
const kafkaLayer = (config: AppConfigShape) => (usesKafka(config) ? KafkaPlatformLayer : (Layer.empty as unknown as typeof KafkaPlatformLayer))

// The console keeps no data of its own (it is a client of the services' APIs and of Kafka): a
// process running only it opens no database, embedded or not.
const usesDatabase = (config: AppConfigShape) => config.services.some((service) => service !== "console")
const StorageLayer = MigrationsLive.pipe(Layer.provideMerge(DatabaseLive))
const storageLayer = (config: AppConfigShape) => (usesDatabase(config) ? StorageLayer : (Layer.empty as unknown as typeof StorageLayer))

/** The whole process for one configuration: storage and messaging, then the chosen services on top. */
const processLayer = (config: AppConfigShape) =>
  Layer.mergeAll(...(config.services.map((service) => services[service].layer) as [ServiceLayer, ...Array<ServiceLayer>])).pipe(
    Layer.provideMerge(kafkaLayer(config)),
    Layer.provideMerge(AuthenticatorLive),
    Layer.provideMerge(Revocations.layer),
    Layer.provideMerge(storageLayer(config)),
    Layer.provideMerge(Layer.succeed(AppConfig, config))
  )

// Past this deadline a stuck finalizer no longer holds the process hostage.
const armShutdownDeadline = (config: AppConfigShape) =>
  Effect.sync(() => {
    setTimeout(() => {
      console.error(`loyaltea: graceful shutdown exceeded ${config.shutdownTimeoutMs} ms; exiting`)
      process.exit(1)
    }, config.shutdownTimeoutMs).unref()
  }).pipe(Effect.andThen(Effect.logInfo("shutting down: no new requests, finishing work in flight")))

// The default start spreads the event services over worker processes (LOYALTEA_WORKERS): this
// process keeps the rest, the embedded broker and database, and supervises them. Workers start
// after everything here is up and stop before it goes, since they use it.
const run = (config: AppConfigShape) => {
  const plan = workerPlan(config)
  const own = plan === undefined ? config : { ...config, services: plan.own }
  return Effect.scoped(
    Effect.gen(function*() {
      const context = yield* Layer.build(processLayer(own))
      const kafka = usesKafka(own) ? Context.get(context as Context.Context<KafkaClient>, KafkaClient) : undefined
      if (plan !== undefined) {
        yield* startWorkers(config, plan, {
          kafkaBrokers: kafka!.brokers,
          databaseSocket: Option.isNone(config.databaseUrl) ? socketPathFor(resolve(config.dataDir)) : undefined
        })
      }
      yield* Effect.sync(() => exitWithSupervisor(config))
      // A worker's services are announced by its supervisor, with the others.
      if (Option.isNone(config.supervisorPid)) yield* announce(config, usesDatabase(config) ? Context.get(context, Database) : undefined, kafka?.target, plan)
      else yield* Effect.logInfo(`worker up: ${config.services.join(", ")}`)
      return yield* Effect.never.pipe(Effect.onInterrupt(() => armShutdownDeadline(config)))
    })
  ).pipe(Effect.provide(loggerLayer(config.logFormat, config.logLevel)))
}

const main = appConfig.pipe(
  Effect.tap(checkStartupConfig),
  Effect.flatMap(run),
  Effect.catchCause((cause) =>
    Cause.hasInterruptsOnly(cause)
      ? Effect.void
      : Effect.sync(() => {
        console.error(`loyaltea: cannot start: ${describeStartupFailure(cause)}`)
        // At once: what was started has been stopped, and client libraries' retry timers must
        // not keep a process that will never run alive (or print).
        process.exit(1)
      })
  )
)

silenceKnownWarnings()
runMain(main, {
  disableErrorReporting: true,
  // SIGINT/SIGTERM interrupt the program: a shutdown that completed is a success, not an error.
  teardown: (exit, onExit) =>
    Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)
})
