import { describe, expect, test } from "bun:test"
import { ConfigProvider, Effect, Exit } from "effect"
import { appConfig } from "../../src/config/app-config.ts"
import { describeStartupFailure } from "../../src/startup/describe-error.ts"

const parse = (env: Record<string, string>) => Effect.runPromiseExit(appConfig.parse(ConfigProvider.fromEnvRecord(env)))

describe("webhook configuration", () => {
  test("by default: no private targets, 24 hours of retries, disabled after 3 days and 20 failures in a row", async () => {
    const exit = await parse({})
    expect(Exit.isSuccess(exit) && exit.value.webhooks).toEqual({
      allowPrivate: false,
      retryForMs: 86_400_000,
      backoffBaseMs: 10_000,
      backoffMaxMs: 3_600_000,
      timeoutMs: 10_000,
      disableAfterMs: 259_200_000,
      disableAfterFailures: 20,
      pollMs: 1000,
      logRetentionDays: 30
    })
  })

  test("durations are written in words", async () => {
    const exit = await parse({ LOYALTEA_WEBHOOK_RETRY_FOR: "90 minutes", LOYALTEA_WEBHOOK_DISABLE_AFTER: "2 days", LOYALTEA_WEBHOOK_ALLOW_PRIVATE: "true" })
    expect(Exit.isSuccess(exit) && exit.value.webhooks).toMatchObject({ retryForMs: 5_400_000, disableAfterMs: 172_800_000, allowPrivate: true })
  })

  test.each([
    ["LOYALTEA_WEBHOOK_RETRY_FOR", "soon"],
    ["LOYALTEA_WEBHOOK_TIMEOUT_MS", "0"],
    ["LOYALTEA_WEBHOOK_DISABLE_AFTER_FAILURES", "0"],
    ["LOYALTEA_WEBHOOK_ALLOW_PRIVATE", "maybe"]
  ])("an invalid %s (%p) stops the start naming the variable", async (variable, value) => {
    const exit = await parse({ [variable]: value })
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) expect(describeStartupFailure(exit.cause)).toContain(variable)
  })
})
