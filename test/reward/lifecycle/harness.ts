import type { WebhookUseCases } from "../../../src/actors/reward/webhooks/service.ts"
import type { ExportUseCases } from "../../../src/actors/reward/exports/service.ts"
import type { OpeningImports } from "../../../src/actors/reward/imports/service.ts"
import { Effect } from "effect"
import type { AppConfigShape } from "../../../src/config/app-config.ts"
import type { AnyElysia } from "elysia"
import { creditHandler, reversalHandler } from "../../../src/actors/reward/actor.ts"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import { runLifecycle } from "../../../src/actors/reward/lifecycle/jobs.ts"
import type { PointsLifecycle } from "../../../src/actors/reward/lifecycle/service.ts"
import { RewardUseCases } from "../../../src/actors/reward/service.ts"
import { Database } from "../../../src/db/database.ts"
import { allTenants } from "../../../src/domain/tenant-scope.ts"
import { processBatch } from "../../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../../src/tenants/directory.ts"
import { appOver, request } from "../../support/app.ts"
import { useCasesRuntime } from "../../support/layers.ts"
import { rawMessages } from "../../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { registerTenantsIn } from "../../support/tenants.ts"
import { tenant as tenantOf } from "../../support/values.ts"

const rewardIds = new Map<string, string>()
/** Each tenant's one reward (reward ids are unique across tenants). */
export const rewardIdOf = (tenant: string) => rewardIds.get(tenant)!
export const campaignId = "77777777-7777-4777-8777-777777777777"
export const day = 86_400_000
/** Now, to the second: requests are judged on the wall clock, events and the job on the times a test gives them. */
export const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000

export interface Lots {
  readonly lot_key: string
  readonly points: string
  readonly remaining: string
  readonly reversed: string
  readonly pending: boolean
  readonly expired: boolean
}

/** The reward service over a fresh database: its handlers, its lifecycle job on a given clock, and its HTTP app as the admin. */
export const lifecycleHarness = async (tenants: ReadonlyArray<string>, overrides: Partial<AppConfigShape> = {}) => {
  const database: TestDatabase = await createTestDatabase()
  const runtime = useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>(database.url, rewardService.useCases, overrides)
  await registerTenantsIn(runtime, [...tenants])
  const app: AnyElysia = await appOver(runtime, "reward", rewardService.routes)
  for (const tenant of tenants) {
    const rewardId = crypto.randomUUID()
    rewardIds.set(tenant, rewardId)
    await runtime.runPromise(Effect.flatMap(Effect.service(RewardUseCases), (u) => u.createReward(allTenants, { tenant: tenantOf(tenant), reward_id: rewardId, reward_points: 1 })))
  }
  let offset = 0
  const sql = () => runtime.runPromise(Effect.map(Effect.service(Database), (db) => db.sql))
  const json = async (response: Response) => (await response.json()) as any
  const harness = {
    database,
    runtime,
    app,
    request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => request(app, method, path, body, headers),
    program: async (tenant: string, body: unknown) => {
      const response = await request(app, "PUT", `/programs/${tenant}`, body)
      if (response.status !== 200) throw new Error(`program refused: ${await response.text()}`)
      return json(response)
    },
    /** Reward events of `points` (before the multiplier) at event time `at`. */
    credit: (events: ReadonlyArray<{ tenant: string; userId: string; eventId: string; points: string; at: number }>) =>
      runtime.runPromise(processBatch("reward", creditHandler, rawMessages("reward", events.map((e) => ({
        tenant: e.tenant, rewardId: rewardIdOf(e.tenant), userId: e.userId, eventId: e.eventId, campaignId, points: e.points, occurredAt: new Date(e.at).toISOString()
      })), { firstOffset: (offset += events.length) }))),
    revoke: (events: ReadonlyArray<{ tenant: string; userId: string; eventId: string; rewardEventId: string; points?: string; at: number }>) =>
      runtime.runPromise(processBatch("reward", reversalHandler, rawMessages("reward-revoked", events.map((e) => ({
        tenant: e.tenant, rewardId: rewardIdOf(e.tenant), userId: e.userId, eventId: e.eventId, campaignId, causeEventId: `refund-of-${e.eventId}`, rewardEventId: e.rewardEventId,
        occurredAt: new Date(e.at).toISOString(), ...(e.points === undefined ? {} : { points: e.points })
      })), { firstOffset: (offset += events.length) }))),
    job: (now: number) => runtime.runPromise(runLifecycle(now)),
    balance: async (tenant: string, userId: string) => json(await request(app, "GET", `/user-rewards/${userId}/?tenant=${tenant}`)),
    ledger: async (tenant: string, userId: string, kind?: string) =>
      (await json(await request(app, "GET", `/user-rewards/${userId}/ledger?tenant=${tenant}${kind ? `&kind=${kind}` : ""}`))).entries as Array<any>,
    lots: async (tenant: string, userId: string) =>
      (await sql())<Array<Lots>>`
        select lot_key, points::text, remaining::text, reversed::text, pending, expired from reward.lots
        where tenant = ${tenant} and user_id = ${userId} order by id`,
    outboxNotifications: async () =>
      ((await (await sql())<Array<{ messages: string }>>`select messages from reward.outbox order by id`)
        .flatMap((row) => JSON.parse(row.messages) as Array<{ topic: string; value: string }>)
        .filter((m) => m.topic === "reward-notify")
        .map((m) => JSON.parse(m.value))),
    sql,
    close: async () => {
      await runtime.dispose()
      await database.drop()
    }
  }
  return harness
}
export type Harness = Awaited<ReturnType<typeof lifecycleHarness>>
