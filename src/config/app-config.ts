import { availableParallelism } from "node:os"
import { Config, ConfigProvider, Context, Layer, type Option, type Redacted } from "effect"
import type { LogLevel } from "effect/LogLevel"
import { authConfig, type AuthConfig } from "./auth-settings.ts"
import { consoleSettings, type ConsoleSettings } from "./console-settings.ts"
import { databaseSettings, type DatabaseSettings } from "./database-settings.ts"
import { kafkaSettings, type KafkaSettings } from "./kafka-settings.ts"
import { BrokerList, CorsOrigins, LogFormat, LogLevelName, ServiceList, WholeAtLeast, WorkerCount } from "./parsers.ts"
import { type PeerUrls, peerUrlsConfig } from "./peer-urls.ts"
import { defaultPorts, portVariable, type ServiceName, serviceNames } from "./service-name.ts"
import { webhookSettings, type WebhookSettings } from "./webhook-settings.ts"

export interface AppConfigShape {
  /** Services this process runs (`LOYALTEA_SERVICES`). */
  readonly services: ReadonlyArray<ServiceName>
  /** External PostgreSQL; `None` means the embedded PGlite in the data directory. */
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  /** Pool size and the bounds of every database call. */
  readonly database: DatabaseSettings
  /** External Kafka bootstrap servers; `None` means the embedded broker. */
  readonly kafkaBrokers: Option.Option<ReadonlyArray<string>>
  readonly dataDir: string
  readonly httpHost: string
  /** Browser origins (exact `scheme://host[:port]`) allowed to call every port (`LOYALTEA_CORS_ORIGINS`); none by default. */
  readonly corsOrigins: ReadonlyArray<string>
  readonly ports: Readonly<Record<ServiceName, number>>
  /** Where the services that answer across services are asked (unset: this host, their port). */
  readonly peers: PeerUrls
  /** Where the console reaches the services (with `peers` and the user service URL). */
  readonly console: ConsoleSettings
  /** Port of the embedded broker when `KAFKA_BROKERS` is unset. */
  readonly embeddedBrokerPort: number
  readonly kafka: KafkaSettings
  readonly auth: AuthConfig
  /** Delivery of the reward service's webhooks. */
  readonly webhooks: WebhookSettings
  readonly logLevel: LogLevel
  readonly logFormat: LogFormat
  /** Upper bound for a graceful shutdown before the process exits anyway. */
  readonly shutdownTimeoutMs: number
  /** How often the reward service activates pending points, expires lots and looks at tiers again. */
  readonly lifecycleJobMs: number
  /**
   * How often the pruning jobs (processed-event ids, the webhook delivery log, refresh tokens)
   * run, in seconds (`LOYALTEA_PRUNE_INTERVAL_SECONDS`, an hour by default).
   */
  readonly pruneIntervalSeconds: number
  /** The largest body an import (`POST /imports/...`) takes, in bytes (`LOYALTEA_IMPORT_MAX_BYTES`, 1 GiB by default). */
  readonly importMaxBytes: number
  /**
   * How long a `running` import may go without a sign of life (its row touched, every few seconds
   * while it runs) before it is taken for stopped and marked `failed` (`LOYALTEA_IMPORT_STALE_SECONDS`, 60 by default).
   */
  readonly importStaleSeconds: number
  /**
   * Processes the default start (`LOYALTEA_SERVICES=all`) spreads itself over (`LOYALTEA_WORKERS`,
   * default: one per core): beyond one, the event services run in worker processes it starts and
   * supervises. Explicit service lists always run in the one process.
   */
  readonly workers: number
  /** Set by a supervising process for its workers: the socket of the embedded database it serves. */
  readonly embeddedDatabaseSocket: Option.Option<string>
  /** Set by a supervising process for its workers: its pid (a worker exits when it is gone). */
  readonly supervisorPid: Option.Option<number>
}

/** 1 GiB: a million rows of opening balances or purchases with room to spare. */
export const defaultImportMaxBytes = 1024 * 1024 * 1024

/** A minute: many heartbeats missed, far past any pause of a live import's process. */
export const defaultImportStaleSeconds = 60

const portOf = (name: ServiceName) => Config.Port(portVariable(name)).pipe(Config.withDefault(defaultPorts[name]))

/** Every environment variable Loyaltea reads, in one place. */
export const appConfig: Config.Config<AppConfigShape> = Config.all({
  services: Config.schema(ServiceList, "LOYALTEA_SERVICES").pipe(Config.withDefault(serviceNames)),
  databaseUrl: Config.option(Config.Redacted("DATABASE_URL")),
  database: databaseSettings,
  kafkaBrokers: Config.option(Config.schema(BrokerList, "KAFKA_BROKERS")),
  dataDir: Config.String("LOYALTEA_DATA_DIR").pipe(Config.withDefault("./.loyaltea")),
  httpHost: Config.String("HTTP_HOST").pipe(Config.withDefault("0.0.0.0")),
  corsOrigins: Config.schema(CorsOrigins, "LOYALTEA_CORS_ORIGINS").pipe(Config.withDefault([])),
  ports: Config.all({
    campaign: portOf("campaign"),
    reward: portOf("reward"),
    fulfillment: portOf("fulfillment"),
    user: portOf("user"),
    console: portOf("console")
  }),
  peers: peerUrlsConfig,
  console: consoleSettings,
  embeddedBrokerPort: Config.Port("LOYALTEA_BROKER_PORT").pipe(Config.withDefault(9092)),
  kafka: kafkaSettings,
  auth: authConfig,
  webhooks: webhookSettings,
  logLevel: Config.schema(LogLevelName, "LOG_LEVEL").pipe(Config.withDefault("Info" as const)),
  logFormat: Config.schema(LogFormat, "LOG_FORMAT").pipe(Config.withDefault("pretty" as const)),
  shutdownTimeoutMs: Config.Int("LOYALTEA_SHUTDOWN_TIMEOUT_MS").pipe(Config.withDefault(10_000)),
  lifecycleJobMs: Config.Int("LOYALTEA_LIFECYCLE_JOB_MS").pipe(Config.withDefault(30_000)),
  pruneIntervalSeconds: Config.schema(WholeAtLeast(1), "LOYALTEA_PRUNE_INTERVAL_SECONDS").pipe(Config.withDefault(3600)),
  workers: Config.schema(WorkerCount, "LOYALTEA_WORKERS").pipe(Config.withDefault(Math.min(64, availableParallelism()))),
  embeddedDatabaseSocket: Config.option(Config.String("LOYALTEA_EMBEDDED_DATABASE_SOCKET")),
  supervisorPid: Config.option(Config.Int("LOYALTEA_SUPERVISOR_PID")),
  importMaxBytes: Config.Int("LOYALTEA_IMPORT_MAX_BYTES").pipe(Config.withDefault(defaultImportMaxBytes)),
  importStaleSeconds: Config.schema(WholeAtLeast(1), "LOYALTEA_IMPORT_STALE_SECONDS").pipe(Config.withDefault(defaultImportStaleSeconds))
})

export class AppConfig extends Context.Service<AppConfig, AppConfigShape>()("loyaltea/config/AppConfig") {
  /** Reads the process environment (the default ConfigProvider). */
  static readonly layer = Layer.effect(AppConfig, appConfig)

  /** The same parsing over an explicit variable map (tests, tools). */
  static readonly fromRecord = (env: Record<string, string | undefined>) =>
    AppConfig.layer.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))))
}
