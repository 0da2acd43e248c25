import { Config, type Option, type Redacted, Schema } from "effect"
import { Millis, PositiveDays, PrincipalList } from "./parsers.ts"

export const SaslMechanism = Schema.Literals(["plain", "scram-sha-256", "scram-sha-512"])

export interface KafkaSettings {
  readonly clientId: string
  /** Consumer groups are `<prefix><service>`, e.g. `loyaltea-reward`. */
  readonly groupPrefix: string
  /** Partitions of the topics Loyaltea creates at start (existing topics are left as they are). */
  readonly topicPartitions: number
  readonly replicationFactor: number
  /** A consumer that stops heartbeating (crashed, killed) loses its partitions after this long. */
  readonly sessionTimeoutMs: number
  /**
   * Group members per service in one process. kafkajs fetches a member's partitions together and
   * waits for all of their batches before fetching again, so one member per partition keeps a
   * slow batch from holding up the others.
   */
  readonly consumersPerService: number
  /**
   * How long a processed event's id is kept (`LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS`): a
   * redelivery within it is a no-op. It must outlive the topics' retention (Kafka's default is 7
   * days), or a replay from the start of a topic would apply events again. Fractions of a day are
   * allowed (benchmarks prune while they run).
   */
  readonly processedEventsRetentionDays: number
  /**
   * A batch whose current step (applying it, publishing what it emitted, committing its offsets)
   * has not ended after this long is stuck: its consumer is torn down and started again.
   */
  readonly stallTimeoutMs: number
  /**
   * Whether Loyaltea creates its missing topics at start (`LOYALTEA_CREATE_TOPICS`); with false it only
   * checks they exist, for clusters where topics are provisioned by other means.
   */
  readonly createTopics: boolean
  /**
   * SASL users of the embedded broker (`name:password` lines), from `LOYALTEA_BROKER_SASL_USERS_FILE`
   * or `LOYALTEA_BROKER_SASL_USERS`; none leaves it open.
   */
  readonly embeddedBrokerUsers: Option.Option<{ readonly file: string } | { readonly inline: Redacted.Redacted<string> }>
  /** Principals of the embedded broker allowed everything, besides the services' own (`LOYALTEA_BROKER_SUPER_USERS`). */
  readonly embeddedBrokerSuperUsers: ReadonlyArray<string>
  readonly ssl: boolean
  readonly sasl: Option.Option<{
    readonly mechanism: typeof SaslMechanism.Type
    readonly username: string
    readonly password: Redacted.Redacted<string>
  }>
}

export const kafkaSettings: Config.Config<KafkaSettings> = Config.all({
  clientId: Config.String("KAFKA_CLIENT_ID").pipe(Config.withDefault("loyaltea")),
  groupPrefix: Config.String("KAFKA_GROUP_PREFIX").pipe(Config.withDefault("loyaltea-")),
  topicPartitions: Config.Int("KAFKA_TOPIC_PARTITIONS").pipe(Config.withDefault(3)),
  replicationFactor: Config.Int("KAFKA_REPLICATION_FACTOR").pipe(Config.withDefault(1)),
  sessionTimeoutMs: Config.Int("KAFKA_SESSION_TIMEOUT_MS").pipe(Config.withDefault(10_000)),
  consumersPerService: Config.Int("KAFKA_CONSUMERS_PER_SERVICE").pipe(Config.withDefault(3)),
  processedEventsRetentionDays: Config.schema(PositiveDays, "LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS").pipe(Config.withDefault(30)),
  stallTimeoutMs: Config.schema(Millis, "KAFKA_CONSUMER_STALL_TIMEOUT_MS").pipe(Config.withDefault(60_000)),
  createTopics: Config.Boolean("LOYALTEA_CREATE_TOPICS").pipe(Config.withDefault(true)),
  embeddedBrokerUsers: Config.option(
    Config.String("LOYALTEA_BROKER_SASL_USERS_FILE").pipe(
      Config.map((file) => ({ file })),
      Config.orElse(() => Config.Redacted("LOYALTEA_BROKER_SASL_USERS").pipe(Config.map((inline) => ({ inline }))))
    )
  ),
  embeddedBrokerSuperUsers: Config.schema(PrincipalList, "LOYALTEA_BROKER_SUPER_USERS").pipe(Config.withDefault([] as ReadonlyArray<string>)),
  ssl: Config.Boolean("KAFKA_SSL").pipe(Config.withDefault(false)),
  sasl: Config.option(
    Config.all({
      mechanism: Config.schema(SaslMechanism, "KAFKA_SASL_MECHANISM"),
      username: Config.String("KAFKA_SASL_USERNAME"),
      password: Config.Redacted("KAFKA_SASL_PASSWORD")
    })
  )
})
