import { Config, Duration } from "effect"
import { Millis, PositiveDays, WholeAtLeast } from "./parsers.ts"

export interface WebhookSettings {
  /** Whether endpoints may resolve to private, loopback or link-local addresses (`LOYALTEA_WEBHOOK_ALLOW_PRIVATE`). */
  readonly allowPrivate: boolean
  /** How long a delivery is retried after its first attempt before it is marked failed. */
  readonly retryForMs: number
  /** The first retry's delay; each next one doubles, capped at `backoffMaxMs`, with jitter. */
  readonly backoffBaseMs: number
  readonly backoffMaxMs: number
  /** How long one request may take (connecting, sending, the whole answer). */
  readonly timeoutMs: number
  /**
   * Sustained failure: an endpoint is disabled once every attempt to it has failed for this long
   * and at least `disableAfterFailures` attempts in a row failed.
   */
  readonly disableAfterMs: number
  readonly disableAfterFailures: number
  /** How often the relay looks for due deliveries when it found none. */
  readonly pollMs: number
  /** Delivered and failed deliveries stay in the log this many days after their last attempt (fractions allowed). */
  readonly logRetentionDays: number
}

const millisOf = (name: string, fallback: Duration.Duration) =>
  Config.Duration(name).pipe(Config.withDefault(fallback), Config.map(Duration.toMillis))

export const webhookSettings: Config.Config<WebhookSettings> = Config.all({
  allowPrivate: Config.Boolean("LOYALTEA_WEBHOOK_ALLOW_PRIVATE").pipe(Config.withDefault(false)),
  retryForMs: millisOf("LOYALTEA_WEBHOOK_RETRY_FOR", Duration.hours(24)),
  backoffBaseMs: Config.schema(Millis, "LOYALTEA_WEBHOOK_BACKOFF_MS").pipe(Config.withDefault(10_000)),
  backoffMaxMs: Config.schema(Millis, "LOYALTEA_WEBHOOK_BACKOFF_MAX_MS").pipe(Config.withDefault(3_600_000)),
  timeoutMs: Config.schema(Millis, "LOYALTEA_WEBHOOK_TIMEOUT_MS").pipe(Config.withDefault(10_000)),
  disableAfterMs: millisOf("LOYALTEA_WEBHOOK_DISABLE_AFTER", Duration.days(3)),
  disableAfterFailures: Config.schema(WholeAtLeast(1), "LOYALTEA_WEBHOOK_DISABLE_AFTER_FAILURES").pipe(Config.withDefault(20)),
  pollMs: Config.schema(Millis, "LOYALTEA_WEBHOOK_POLL_MS").pipe(Config.withDefault(1000)),
  logRetentionDays: Config.schema(PositiveDays, "LOYALTEA_WEBHOOK_LOG_RETENTION_DAYS").pipe(Config.withDefault(30))
})
