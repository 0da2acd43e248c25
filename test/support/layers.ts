import { Layer, ManagedRuntime, Option, Redacted } from "effect"
import { AppConfig, type AppConfigShape } from "../../src/config/app-config.ts"
import { ApiKeys } from "../../src/actors/user/api-key-service.ts"
import { localChecks } from "../../src/actors/user/local-checks.ts"
import { SigningKeys } from "../../src/actors/user/signing-keys.ts"
import { Authenticator } from "../../src/auth/authenticator.ts"
import type { Database } from "../../src/db/database.ts"
import { MigrationsLive } from "../../src/db/migrations-layer.ts"
import { DatabaseLive } from "../../src/db/pool.ts"

/** A configuration as the process would read it, with overrides for a test. */
export const testConfig = (overrides: Partial<AppConfigShape> = {}): AppConfigShape => ({
  services: ["campaign", "reward", "fulfillment", "user"],
  databaseUrl: Option.none(),
  database: { poolSize: 5, connectTimeoutMs: 5000, statementTimeoutMs: 30_000, idleInTransactionTimeoutMs: 30_000, callTimeoutMs: 35_000 },
  kafkaBrokers: Option.none(),
  dataDir: "./.loyaltea-test",
  httpHost: "127.0.0.1",
  ports: { campaign: 9001, reward: 9002, fulfillment: 9003, user: 9004 },
  embeddedBrokerPort: 9092,
  kafka: { clientId: "loyaltea-test", groupPrefix: "loyaltea-", topicPartitions: 3, replicationFactor: 1, sessionTimeoutMs: 10_000, consumersPerService: 3, stallTimeoutMs: 60_000, ssl: false, sasl: Option.none() },
  auth: { adminUsername: Option.none(), adminPassword: Option.none(), trustProxy: false, userServiceUrl: "http://127.0.0.1:9004/" },
  logLevel: "Warn",
  logFormat: "pretty",
  shutdownTimeoutMs: 5000,
  ...overrides
})

/**
 * A service's use cases over a migrated database, as a runtime for HTTP and handler tests, with
 * credentials checked for real: the user service's keys and API-key table in the same database.
 */
export const useCasesRuntime = <R>(url: string, useCases: Layer.Layer<R, unknown, AppConfig | Database>) =>
  ManagedRuntime.make(
    useCases.pipe(
      Layer.provideMerge(Authenticator.layerFrom(localChecks)),
      Layer.provideMerge(Layer.merge(SigningKeys.layer, ApiKeys.layer)),
      Layer.provideMerge(MigrationsLive),
      Layer.provideMerge(DatabaseLive),
      Layer.provideMerge(Layer.succeed(AppConfig, testConfig({ databaseUrl: Option.some(Redacted.make(url)) })))
    )
  )
