import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect, Schema } from "effect"
import type { AnyElysia } from "elysia"
import { rewardService } from "../../src/actors/reward/definition.ts"
import type { RewardUseCases } from "../../src/actors/reward/service.ts"
import type { WebhookUseCases } from "../../src/actors/reward/webhooks/service.ts"
import type { ExportUseCases } from "../../src/actors/reward/exports/service.ts"
import type { OpeningImports } from "../../src/actors/reward/imports/service.ts"
import { Database } from "../../src/db/database.ts"
import * as D from "../../src/domain/decimal.ts"
import { pointsFor } from "../../src/domain/earning.ts"
import { RewardDefinitionEvent } from "../../src/events/reward-definition.ts"
import { earnRuleOf } from "../../src/events/reward-definition-rule.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

const decodeDefinition = Schema.decodeUnknownSync(Schema.fromJsonString(RewardDefinitionEvent))

describe("every change of a reward is published on topic reward-definition", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>>
  let app: AnyElysia

  /** Every definition event published so far, read back from the broker, with its key. */
  const published = async () => {
    const { kafka } = await runtime.runPromise(Effect.service(KafkaClient))
    const consumer = kafka.consumer({ groupId: `read-${randomUUID()}`, maxWaitTimeInMs: 100 })
    const seen: Array<{ key: string; event: RewardDefinitionEvent }> = []
    await consumer.connect()
    await consumer.subscribe({ topic: "reward-definition", fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void seen.push({ key: String(message.key), event: decodeDefinition(String(message.value)) }) })
    await Bun.sleep(1500)
    await consumer.disconnect()
    return seen
  }
  const outboxRows = () =>
    runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql<Array<{ n: number }>>`select count(*)::int as n from reward.outbox`)))

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["meiwei", "other"])
    app = await appOver(runtime, "reward", rewardService.routes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("create, replace, delete and create again: one event each, keyed by the reward, versions rising, the deletion marked", async () => {
    const id = "8f14e45f-ceea-467f-a9b8-2a3f7f6b6a11"
    const other = "5d41402a-bc4b-4a76-b971-9d911017c592"
    expect((await request(app, "POST", "/rewards/", { tenant: "meiwei", reward_id: id, reward_points: 100.0 })).status).toBe(201)
    await request(app, "POST", "/rewards/", { tenant: "other", reward_id: other, reward_points: 0.25 })
    await request(app, "PUT", `/rewards/${id}/`, { kind: "per_amount", points_per_unit: 1, unit: 10.0, max_points: 500 })
    await request(app, "PUT", `/rewards/${id}/`, { kind: "per_amount", points_per_unit: 2.5, unit: 0.5, rounding: "exact" })
    expect((await request(app, "DELETE", `/rewards/${id}/`)).status).toBe(204)
    await request(app, "POST", "/rewards/", { tenant: "meiwei", reward_id: id, reward_points: 3 })
    // A change that is refused publishes nothing.
    expect((await request(app, "PUT", `/rewards/${id}/`, { kind: "per_amount", unit: 10 })).status).toBe(422)

    const events = await published()
    const mine = events.filter((e) => e.key === id).map((e) => e.event)
    expect(mine.map(({ version: _, eventId: __, ...rest }): unknown => rest)).toEqual([
      { tenant: "meiwei", rewardId: id, deleted: false, kind: "fixed", points: "100" },
      { tenant: "meiwei", rewardId: id, deleted: false, kind: "per_amount", pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: "500" },
      { tenant: "meiwei", rewardId: id, deleted: false, kind: "per_amount", pointsPerUnit: "2.5", unit: "0.5", rounding: "exact", maxPoints: null },
      { tenant: "meiwei", rewardId: id, deleted: true, kind: "per_amount", pointsPerUnit: "2.5", unit: "0.5", rounding: "exact", maxPoints: null },
      { tenant: "meiwei", rewardId: id, deleted: false, kind: "fixed", points: "3" }
    ])
    const versions = mine.map((e) => e.version)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
    expect(new Set(versions).size).toBe(versions.length)
    expect(mine.map((e) => e.eventId)).toEqual(versions.map((v) => `reward-definition:${id}:v${v}`))
    expect(events.filter((e) => e.key === other).map((e) => [e.event.tenant, e.event.points])).toEqual([["other", "0.25"]])
    // Published right after the commit: nothing is left for the relay.
    expect([...(await outboxRows())]).toEqual([{ n: 0 }])
  })

  test("what is published is exactly what pointsFor counts with: 1 per 10.00, down, at most 500", async () => {
    const created = (await (await request(app, "POST", "/rewards/", { tenant: "meiwei", kind: "per_amount", points_per_unit: 1, unit: 10.0, max_points: 500 })).json()) as { reward_id: string }
    const definition = (await published()).find((e) => e.key === created.reward_id)!.event
    const rule = earnRuleOf(definition)!
    const points = (basis: string) => D.toText(pointsFor(rule, D.fromText(basis)))
    expect([points("129.99"), points("9.99"), points("100000")]).toEqual(["12", "0", "500"])
    expect(earnRuleOf({ ...definition, kind: "fixed", points: "100" })).toEqual({ kind: "fixed", points: D.fromText("100") })
  })
})
