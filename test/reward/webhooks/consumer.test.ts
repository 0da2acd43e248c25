import type { PointsLifecycle } from "../../../src/actors/reward/lifecycle/service.ts"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { AnyElysia } from "elysia"
import { creditHandler } from "../../../src/actors/reward/actor.ts"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import { RewardUseCases } from "../../../src/actors/reward/service.ts"
import { completionWebhooks, notifyWebhooks } from "../../../src/actors/reward/webhooks/consumer.ts"
import { pruneDeliveryLog } from "../../../src/actors/reward/webhooks/delivery-log-repo.ts"
import type { WebhookUseCases } from "../../../src/actors/reward/webhooks/service.ts"
import type { ExportUseCases } from "../../../src/actors/reward/exports/service.ts"
import type { OpeningImports } from "../../../src/actors/reward/imports/service.ts"
import { Database } from "../../../src/db/database.ts"
import { allTenants } from "../../../src/domain/tenant-scope.ts"
import { processBatch } from "../../../src/kafka/batch-processor.ts"
import { transactions } from "../../../src/observability/metrics.ts"
import type { TenantDirectory } from "../../../src/tenants/directory.ts"
import { appOver, request } from "../../support/app.ts"
import { useCasesRuntime } from "../../support/layers.ts"
import { rawMessages } from "../../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { registerTenantsIn } from "../../support/tenants.ts"
import { tenant } from "../../support/values.ts"

const reward = "77777777-7777-4777-8777-777777777777"

describe("the webhook consumer", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>>
  let app: AnyElysia
  let hookId = ""

  const sql = <A>(query: (sql: Database["Service"]["sql"]) => Promise<A>) => runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(() => query(db.sql))))
  // Records appended now, after the endpoint was created (an endpoint gets only those).
  const now = () => ({ timestamp: Date.now() })
  const processedCount = async (processedAs: string) =>
    (await sql((s) => s<Array<{ n: number }>>`select count(*)::int as n from reward.processed_events where topic = ${processedAs}`))[0]!.n
  /** Transactions this process has run so far (committed or rolled back). */
  const transactionCount = async () =>
    (await transactions.get()).values.filter((v) => v.metricName === "loyaltea_db_transaction_duration_seconds_count").reduce((n, v) => n + v.value, 0)
  const deliveryCount = async () => (await sql((s) => s<Array<{ n: number }>>`select count(*)::int as n from reward.webhook_deliveries`))[0]!.n

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["feed", "quiet"])
    app = await appOver(runtime, "reward", rewardService.routes)
    await runtime.runPromise(Effect.flatMap(Effect.service(RewardUseCases), (u) => u.createReward(allTenants, { tenant: tenant("feed"), reward_id: reward, reward_points: 4 })))
    const created = await request(app, "POST", "/webhooks", { tenant: "feed", url: "https://hooks.example.com/feed", events: ["campaign-completed", "credited"] })
    hookId = ((await created.json()) as { id: string }).id
  })
  afterAll(async () => {
    await runtime?.dispose()
    await database?.drop()
  })

  test("the crediting consumer and the webhook consumer of topic reward each apply every event: neither takes the other's as processed", async () => {
    const events = [{ tenant: "feed", rewardId: reward, userId: "u1", eventId: "both-1", campaignId: reward }]
    const webhooks = await runtime.runPromise(processBatch("reward", completionWebhooks, rawMessages("reward", events, now())))
    const credits = await runtime.runPromise(processBatch("reward", creditHandler, rawMessages("reward", events)))
    expect(webhooks.applied).toBe(1)
    expect(credits.applied).toBe(1)
    expect(credits.emitted.map((m) => m.topic)).toEqual(["reward-notify"])
    // The credit's reward-notify event, consumed in turn, is a second delivery; both again are nothing new.
    const notified = credits.emitted.map((m) => JSON.parse(m.value as string))
    await runtime.runPromise(processBatch("reward", notifyWebhooks, rawMessages("reward-notify", notified, now())))
    expect(await deliveryCount()).toBe(2)
    const replayed = await runtime.runPromise(processBatch("reward", notifyWebhooks, rawMessages("reward-notify", notified, { firstOffset: 50, ...now() })))
    const replayedCompletion = await runtime.runPromise(processBatch("reward", completionWebhooks, rawMessages("reward", events, { firstOffset: 50, ...now() })))
    expect([replayed.duplicates, replayedCompletion.duplicates]).toEqual([1, 1])
    expect(await deliveryCount()).toBe(2)
    const log = (await (await request(app, "GET", `/webhooks/${hookId}/deliveries`)).json() as { items: Array<{ eventType: string; status: string; userId: string }> }).items
    expect(log.map((d) => [d.eventType, d.status, d.userId])).toEqual([["credited", "pending", "u1"], ["campaign-completed", "pending", "u1"]])
  })

  test("events of a tenant without endpoints, and events recorded before the tenant's first endpoint, are applied with nothing written, on every delivery", async () => {
    const counts = async () => [await processedCount("webhooks:reward"), await processedCount("webhooks:reward-notify"), await deliveryCount()]
    const before = await counts()
    const quiet = { tenant: "quiet", rewardId: reward, userId: "u9", eventId: "quiet-1", campaignId: reward }
    const quietNotify = { tenant: "quiet", userId: "u9", eventId: "quiet-n1", rewardId: reward, points: 4, balance: 4 }
    // Recorded in June (the default record time here), before "feed" had its endpoint.
    const early = { tenant: "feed", rewardId: reward, userId: "u1", eventId: "early-1", campaignId: reward }
    for (const delivery of [0, 1]) {
      const opened = await transactionCount()
      const completions = await runtime.runPromise(processBatch("reward", completionWebhooks, [
        ...rawMessages("reward", [quiet], { firstOffset: 200 + delivery * 10, ...now() }),
        ...rawMessages("reward", [early], { firstOffset: 201 + delivery * 10 })
      ]))
      const notified = await runtime.runPromise(processBatch("reward", notifyWebhooks, rawMessages("reward-notify", [quietNotify], { firstOffset: 200 + delivery * 10, ...now() })))
      expect([completions.applied, completions.duplicates, notified.applied, notified.duplicates]).toEqual([2, 0, 1, 0])
      expect(await counts()).toEqual(before)
      // Batches with nothing for the handler are not even a transaction.
      expect(await transactionCount()).toBe(opened)
    }
    // One event in the batch that concerns the feed is: the batch is then applied as a whole.
    const opened = await transactionCount()
    const mixed = await runtime.runPromise(processBatch("reward", completionWebhooks, [
      ...rawMessages("reward", [quiet], { firstOffset: 300, ...now() }),
      ...rawMessages("reward", [{ ...early, eventId: "late-1" }], { firstOffset: 301, ...now() }),
      ...rawMessages("reward", [{ ...early, eventId: "late-1" }], { firstOffset: 302, ...now() })
    ]))
    expect([mixed.applied, mixed.duplicates]).toEqual([2, 1])
    expect(await transactionCount()).toBe(opened + 1)
    expect(await counts()).toEqual([before[0]! + 1, before[1]!, before[2]! + 1])
  })

  test("an undecodable reward-notify event goes to reward-notify.dlq with the reason; an undecodable reward event is left to the crediting consumer's dead letter", async () => {
    const notify = await runtime.runPromise(processBatch("reward", notifyWebhooks, rawMessages("reward-notify", ['{"tenant":"feed","userId":"u1"}'], { firstOffset: 100 })))
    expect(notify.emitted.map((m) => m.topic)).toEqual(["reward-notify.dlq"])
    expect(JSON.parse(notify.emitted[0]!.value as string).error).toContain("eventId")
    const completion = await runtime.runPromise(processBatch("reward", completionWebhooks, rawMessages("reward", ["not json"], { firstOffset: 100 })))
    expect(completion.emitted).toEqual([])
    const credit = await runtime.runPromise(processBatch("reward", creditHandler, rawMessages("reward", ["not json"], { firstOffset: 100 })))
    expect(credit.emitted.map((m) => m.topic)).toEqual(["reward.dlq"])
  })

  test("settled deliveries older than the retention are pruned with their attempts; pending ones stay", async () => {
    const kept = await deliveryCount()
    await sql((s) => s`update reward.webhook_deliveries set status = 'delivered', last_attempt_at = now() - interval '40 days' where event_type = 'credited'`)
    await sql((s) => s`update reward.webhook_deliveries set last_attempt_at = now() - interval '40 days' where event_type = 'campaign-completed'`)
    const pruned = await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => pruneDeliveryLog(db.sql, Date.now() - 30 * 86_400_000, 100)))
    expect(pruned).toBe(1)
    expect(await deliveryCount()).toBe(kept - 1)
  })
})
