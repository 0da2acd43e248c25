import { describe, expect, test } from "bun:test"
import { ConfigProvider, Effect, Exit, Option, Redacted } from "effect"
import { appConfig } from "../../src/config/app-config.ts"
import { describeStartupFailure } from "../../src/startup/describe-error.ts"

const parse = (env: Record<string, string>) => Effect.runPromiseExit(appConfig.parse(ConfigProvider.fromEnvRecord(env)))

const parsed = async (env: Record<string, string>) => {
  const exit = await parse(env)
  if (Exit.isFailure(exit)) throw new Error(describeStartupFailure(exit.cause))
  return exit.value
}

const failure = async (env: Record<string, string>) => {
  const exit = await parse(env)
  if (Exit.isSuccess(exit)) throw new Error("expected a configuration error")
  return describeStartupFailure(exit.cause)
}

describe("configuration", () => {
  test("defaults run every service and the console on the embedded stores with ports 9000-9004", async () => {
    const config = await parsed({})
    expect(config.services).toEqual(["campaign", "reward", "fulfillment", "user", "console"])
    expect(Option.isNone(config.databaseUrl)).toBe(true)
    expect(Option.isNone(config.kafkaBrokers)).toBe(true)
    expect(config.dataDir).toBe("./.loyaltea")
    expect(config.ports).toEqual({ campaign: 9001, reward: 9002, fulfillment: 9003, user: 9004, console: 9000 })
    expect(config.logLevel).toBe("Info")
    expect(config.logFormat).toBe("pretty")
    expect(config.auth.refreshTokenRetentionDays).toBe(7)
    expect(config.auth.revocationPollMs).toBe(1000)
    expect(config.auth.revocationMaxStalenessMs).toBe(60_000)
  })

  test("a comma list picks services, in port order, whatever the spacing or case", async () => {
    expect((await parsed({ LOYALTEA_SERVICES: " User, reward " })).services).toEqual(["reward", "user"])
    expect((await parsed({ LOYALTEA_SERVICES: "all" })).services).toHaveLength(5)
  })

  test("external stores and ports come from their variables", async () => {
    const config = await parsed({
      DATABASE_URL: "postgres://postgres@db:5432/loyaltea",
      KAFKA_BROKERS: "kafka-1:9092, kafka-2:9092",
      REWARD_PORT: "8002",
      LOG_LEVEL: "DEBUG",
      LOG_FORMAT: "json",
      LOYALTEA_REFRESH_TOKEN_RETENTION_DAYS: "0"
    })
    expect(Option.map(config.databaseUrl, Redacted.value)).toEqual(Option.some("postgres://postgres@db:5432/loyaltea"))
    expect(config.kafkaBrokers).toEqual(Option.some(["kafka-1:9092", "kafka-2:9092"]))
    expect(config.ports.reward).toBe(8002)
    expect(config.logLevel).toBe("Debug")
    expect(config.logFormat).toBe("json")
    expect(config.auth.refreshTokenRetentionDays).toBe(0)
  })

  test("a running import is taken for stopped after 60 s without a heartbeat, or LOYALTEA_IMPORT_STALE_SECONDS", async () => {
    expect((await parsed({})).importStaleSeconds).toBe(60)
    expect((await parsed({ LOYALTEA_IMPORT_STALE_SECONDS: "5" })).importStaleSeconds).toBe(5)
  })

  test("behind a proxy, one trusted hop unless told how many", async () => {
    expect((await parsed({})).auth).toMatchObject({ trustProxy: false, trustedProxies: 1 })
    expect((await parsed({ LOYALTEA_TRUST_PROXY: "true", LOYALTEA_TRUSTED_PROXIES: "2" })).auth).toMatchObject({ trustProxy: true, trustedProxies: 2 })
  })

  test("every database call and consumer step is bounded by default; the call bound follows the statement bound", async () => {
    const defaults = await parsed({})
    expect(defaults.database).toEqual({ poolSize: 10, connectTimeoutMs: 5000, statementTimeoutMs: 30_000, idleInTransactionTimeoutMs: 30_000, callTimeoutMs: 35_000, statementLog: Option.none() })
    expect(defaults.kafka.stallTimeoutMs).toBe(60_000)
    expect((await parsed({ DATABASE_STATEMENT_TIMEOUT_MS: "60000" })).database.callTimeoutMs).toBe(65_000)
    const set = await parsed({ DATABASE_CALL_TIMEOUT_MS: "1234", KAFKA_CONSUMER_STALL_TIMEOUT_MS: "5000", DATABASE_POOL_SIZE: "4" })
    expect(set.database).toMatchObject({ callTimeoutMs: 1234, poolSize: 4 })
    expect(set.kafka.stallTimeoutMs).toBe(5000)
  })

  test("pruning runs hourly by default; retentions may be fractions of a day", async () => {
    const defaults = await parsed({})
    expect(defaults.pruneIntervalSeconds).toBe(3600)
    expect(defaults.kafka.processedEventsRetentionDays).toBe(30)
    const short = await parsed({ LOYALTEA_PRUNE_INTERVAL_SECONDS: "20", LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS: "0.002", LOYALTEA_WEBHOOK_LOG_RETENTION_DAYS: "0.5" })
    expect(short.pruneIntervalSeconds).toBe(20)
    expect(short.kafka.processedEventsRetentionDays).toBe(0.002)
    expect(short.webhooks.logRetentionDays).toBe(0.5)
  })

  test("topics are created at start unless LOYALTEA_CREATE_TOPICS=false", async () => {
    expect((await parsed({})).kafka.createTopics).toBe(true)
    expect((await parsed({ LOYALTEA_CREATE_TOPICS: "false" })).kafka.createTopics).toBe(false)
  })

  test("the embedded broker's SASL users come from a file or a variable, its super users from a list", async () => {
    expect(Option.isNone((await parsed({})).kafka.embeddedBrokerUsers)).toBe(true)
    expect((await parsed({ LOYALTEA_BROKER_SASL_USERS_FILE: "/etc/loyaltea/users" })).kafka.embeddedBrokerUsers).toEqual(Option.some({ file: "/etc/loyaltea/users" }))
    const inline = (await parsed({ LOYALTEA_BROKER_SASL_USERS: "shop:secret" })).kafka.embeddedBrokerUsers
    expect(Option.map(inline, (u) => ("inline" in u ? Redacted.value(u.inline) : ""))).toEqual(Option.some("shop:secret"))
    expect(String(inline)).not.toContain("secret")
    expect((await parsed({ LOYALTEA_BROKER_SUPER_USERS: "User:ops, User:admin" })).kafka.embeddedBrokerSuperUsers).toEqual(["User:ops", "User:admin"])
  })

  test("CORS origins are none by default, else the exact origins listed", async () => {
    expect((await parsed({})).corsOrigins).toEqual([])
    expect((await parsed({ LOYALTEA_CORS_ORIGINS: "https://app.example.com, http://localhost:5173" })).corsOrigins).toEqual(["https://app.example.com", "http://localhost:5173"])
  })

  test("the database URL never shows in printed configuration", async () => {
    const config = await parsed({ DATABASE_URL: "postgres://u:secret@db/x" })
    expect(String(config.databaseUrl)).not.toContain("secret")
  })

  test.each([
    ["LOYALTEA_SERVICES", "rewards"],
    ["LOYALTEA_SERVICES", " , "],
    ["KAFKA_BROKERS", "kafka-1"],
    ["LOYALTEA_CORS_ORIGINS", "*"],
    ["LOYALTEA_CORS_ORIGINS", "https://app.example.com/"],
    ["LOYALTEA_CORS_ORIGINS", "app.example.com"],
    ["CAMPAIGN_PORT", "http"],
    ["USER_PORT", "70000"],
    ["LOG_LEVEL", "loud"],
    ["LOG_FORMAT", "xml"],
    ["LOYALTEA_REFRESH_TOKEN_RETENTION_DAYS", "-1"],
    ["LOYALTEA_REFRESH_TOKEN_RETENTION_DAYS", "1.5"],
    ["LOYALTEA_REVOCATION_POLL_MS", "10"],
    ["LOYALTEA_REVOCATION_MAX_STALENESS_MS", "soon"],
    ["LOYALTEA_TRUSTED_PROXIES", "0"],
    ["LOYALTEA_TRUSTED_PROXIES", "one"],
    ["DATABASE_POOL_SIZE", "0"],
    ["DATABASE_STATEMENT_TIMEOUT_MS", "0"],
    ["DATABASE_CALL_TIMEOUT_MS", "-5"],
    ["DATABASE_CONNECT_TIMEOUT_MS", "soon"],
    ["KAFKA_CONSUMER_STALL_TIMEOUT_MS", "1.5"],
    ["LOYALTEA_CREATE_TOPICS", "maybe"],
    ["LOYALTEA_BROKER_SUPER_USERS", "admin"],
    ["LOYALTEA_IMPORT_STALE_SECONDS", "0"],
    ["LOYALTEA_IMPORT_STALE_SECONDS", "a minute"],
    ["LOYALTEA_PRUNE_INTERVAL_SECONDS", "0"],
    ["LOYALTEA_PRUNE_INTERVAL_SECONDS", "0.5"],
    ["LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS", "0"],
    ["LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS", "soon"],
    ["LOYALTEA_WEBHOOK_LOG_RETENTION_DAYS", "-1"]
  ])("an invalid %s (%p) fails with one line naming the variable", async (variable, value) => {
    const message = await failure({ [variable]: value })
    expect(message).toStartWith(`invalid configuration: ${variable}`)
    expect(message).not.toContain("\n")
  })
})
