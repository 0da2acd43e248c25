import type { Layer } from "effect"
import type { Authenticator } from "../auth/authenticator.ts"
import type { Revocations } from "../auth/revocations.ts"
import type { AppConfig } from "../config/app-config.ts"
import type { ServiceName } from "../config/service-name.ts"
import type { Database } from "../db/database.ts"
import type { RoutesFactory } from "../http/service-server.ts"
import type { ConsumerHealth } from "../kafka/consumer-health.ts"
import type { KafkaClient } from "../kafka/kafka-client.ts"
import type { KafkaProbe } from "../kafka/kafka-probe.ts"
import type { EventProducer } from "../kafka/producer.ts"

/** What every service can rely on in a process. */
export type Platform = AppConfig | Database | Authenticator | Revocations
/** ...and what services that consume or produce events rely on as well. */
export type KafkaPlatform = Platform | KafkaClient | EventProducer | KafkaProbe | ConsumerHealth

/**
 * A service: its use cases (shared by HTTP and actors), its HTTP routes, and its actors.
 * The same definition runs alone in a process or next to the others.
 */
export interface ServiceDefinition<R, P extends KafkaPlatform = KafkaPlatform> {
  readonly name: ServiceName
  readonly usesKafka: boolean
  /** Whether it consumes topics: then it is not ready while Kafka or one of its consumers is not. */
  readonly consumesEvents: boolean
  readonly useCases: Layer.Layer<R, unknown, P>
  readonly routes: RoutesFactory<R>
  readonly actors: Layer.Layer<never, unknown, R | P>
}

/** A service as the process runs it: one layer, whatever its use-case types. */
export interface RunnableService {
  readonly name: ServiceName
  readonly usesKafka: boolean
  readonly layer: Layer.Layer<never, unknown, KafkaPlatform>
}
