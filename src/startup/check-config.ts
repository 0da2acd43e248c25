import { Effect, Option, Redacted, Schema } from "effect"
import { Password, passwordMaxLength, passwordMinLength, Username } from "../actors/user/operator-model.ts"
import type { AppConfigShape } from "../config/app-config.ts"

export class InvalidStartupConfig extends Schema.TaggedError<InvalidStartupConfig>()("InvalidStartupConfig", {
  variable: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `invalid configuration: ${this.variable}: ${this.reason}`
  }
}

const isUsername = Schema.is(Username)
const isPassword = Schema.is(Password)

// Only what is set is checked: an unset password is generated, an unset username is "admin".
const adminCredentials = (config: AppConfigShape) => {
  if (!config.services.includes("user")) return Effect.void
  if (Option.exists(config.auth.adminUsername, (name) => !isUsername(name))) {
    return Effect.fail(new InvalidStartupConfig({ variable: "LOYALTEA_ADMIN_USERNAME", reason: "must be 1-150 characters without spaces or control characters" }))
  }
  if (Option.exists(config.auth.adminPassword, (password) => !isPassword(Redacted.value(password)))) {
    return Effect.fail(new InvalidStartupConfig({ variable: "LOYALTEA_ADMIN_PASSWORD", reason: `must be ${passwordMinLength} to ${passwordMaxLength} characters` }))
  }
  return Effect.void
}

const embeddedBrokerTransport = (config: AppConfigShape) =>
  Option.isNone(config.kafkaBrokers) && config.kafka.ssl
    ? Effect.fail(new InvalidStartupConfig({ variable: "KAFKA_SSL", reason: "the embedded broker speaks plain TCP only: set KAFKA_BROKERS to a cluster that has TLS, or leave KAFKA_SSL unset" }))
    : Effect.void

/**
 * Everything that can be told wrong from the configuration alone, checked before anything
 * connects or starts: a process with a bad setting exits at once with one line, instead of
 * failing half-started.
 */
export const checkStartupConfig = (config: AppConfigShape) =>
  Effect.all([adminCredentials(config), embeddedBrokerTransport(config)], { discard: true })
