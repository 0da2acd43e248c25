import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import type { AnyElysia } from "elysia"
import { progressHandler } from "../../src/actors/campaign/actor.ts"
import { CampaignIndex } from "../../src/actors/campaign/campaign-index.ts"
import { campaignService } from "../../src/actors/campaign/definition.ts"
import { rewardDefinitionHandler } from "../../src/actors/campaign/reward-definitions/consumer.ts"
import type { CampaignUseCases } from "../../src/actors/campaign/service.ts"
import type { CampaignBackfills } from "../../src/actors/campaign/backfill/service.ts"
import { Database } from "../../src/db/database.ts"
import { rewardDefinitionEventId } from "../../src/events/reward-definition.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { appOver, request } from "../support/app.ts"
import { fulfillmentPeer } from "../support/fulfillment-peer.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { swaggerSample } from "../support/swagger-sample.ts"
import { registerTenantsIn } from "../support/tenants.ts"

const bread = "7bed8bf6-995b-450d-8417-1c368709e1e3"
const review = "0b7e6a52-7a0c-4f54-9d8b-3f1f3c1f2a10"
const coffee = "8f14e45f-ceea-467f-a9b8-2a3f7f6b6a11"
const cake = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
const day = 86_400_000

type Json = Record<string, any>

describe("campaign rules over HTTP", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<CampaignUseCases | CampaignBackfills | CampaignIndex | TenantDirectory>>
  let fulfillment: Awaited<ReturnType<typeof fulfillmentPeer>>
  let app: AnyElysia
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await request(app, method, path, body)
    const text = await response.text()
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json }
  }
  const create = async (body: Json) => {
    const response = await call("POST", "/campaign", body)
    if (response.status !== 201) throw new Error(`POST /campaign → ${response.status} ${JSON.stringify(response.body)}`)
    return response.body
  }
  let offset = 0
  let n = 0
  const fulfil = (tenant: string, fulfillmentId: string, options: { userId?: string; occurredAt?: string; basis?: string; orderIds?: Array<string> } = {}) => {
    const { userId = "ada", ...facts } = options
    const eventId = `http-${n++}`
    const messages = rawMessages("fulfillment", [{ tenant, fulfillmentId, userId, eventId, causeEventId: `buy-${eventId}`, ...facts }], { firstOffset: offset++ })
    return runtime.runPromise(processBatch("campaign", progressHandler, messages))
  }
  let definitions = 0
  const publish = (tenant: string, rewardId: string, rule: Json) =>
    runtime.runPromise(processBatch("campaign", rewardDefinitionHandler, rawMessages("reward-definition", [
      { tenant, rewardId, version: 1, deleted: false, eventId: rewardDefinitionEventId(rewardId, 1), ...rule }
    ], { firstOffset: definitions++ })))
  const count = async (table: string) =>
    runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql.unsafe(`select count(*)::int as n from ${table}`)))).then((rows) => (rows[0] as unknown as { n: number }).n)

  beforeAll(async () => {
    database = await createTestDatabase()
    // Cumulative goals' progress comes from the fulfillment service, over HTTP as in production.
    fulfillment = await fulfillmentPeer(database.url)
    runtime = useCasesRuntime(database.url, Layer.merge(campaignService.useCases, CampaignIndex.layer), { peers: fulfillment.peers })
    await registerTenantsIn(runtime, ["meiwei", "defaults", "invalid", "replaced", "patched", "why", "why-period", "why-budget", "evaluate", "other"])
    app = await appOver(runtime, "campaign", campaignService.routes)
    await fulfillment.start()
  })
  afterAll(async () => {
    await fulfillment?.stop()
    await runtime.dispose()
    await database.drop()
  })

  test("a campaign takes a status, a window and limits; left out, they are the defaults campaigns had before", async () => {
    const plain = await create({ tenant: "defaults", name: "plain", fulfillments: [bread], rewards: [coffee] })
    expect(plain).toMatchObject({ status: "active", startsAt: null, endsAt: null, limits: {} })
    const ruled = await create({
      tenant: "defaults",
      name: "ruled",
      fulfillments: [bread],
      rewards: [coffee],
      status: "draft",
      startsAt: "2026-03-01T00:00:00+01:00",
      endsAt: "2026-04-01T00:00:00.5+02:00",
      limits: { perUser: 3, perUserPerPeriod: { count: 1, period: "week" }, budgetCompletions: 1000, budgetPoints: 2500.25 }
    })
    expect(ruled).toMatchObject({
      status: "draft",
      startsAt: "2026-02-28T23:00:00.000Z",
      endsAt: "2026-03-31T22:00:00.500Z",
      limits: { perUser: 3, perUserPerPeriod: { count: 1, period: "week" }, budgetCompletions: 1000, budgetPoints: 2500.25 }
    })
    expect((await call("GET", `/campaign/${ruled.id}`)).body).toEqual(ruled)
  })

  const valid = { tenant: "invalid", name: "n", fulfillments: [bread], rewards: [coffee] }
  test.each([
    [{ startsAt: "2026-04-01T00:00:00Z", endsAt: "2026-03-01T00:00:00Z" }, "endsAt"],
    [{ startsAt: "2026-04-01T00:00:00Z", endsAt: "2026-04-01T02:00:00+02:00" }, "endsAt"],
    [{ status: "archived" }, "status"],
    [{ startsAt: "yesterday" }, "startsAt"],
    [{ endsAt: "2026-03-01" }, "endsAt"],
    [{ limits: { perUser: 0 } }, "limits.perUser"],
    [{ limits: { perUser: 1.5 } }, "limits.perUser"],
    [{ limits: { perUserPerPeriod: { count: 0, period: "day" } } }, "limits.perUserPerPeriod.count"],
    [{ limits: { perUserPerPeriod: { count: 1, period: "year" } } }, "limits.perUserPerPeriod.period"],
    [{ limits: { perUserPerPeriod: { count: 1 } } }, "limits.perUserPerPeriod.period"],
    [{ limits: { budgetCompletions: 0 } }, "limits.budgetCompletions"],
    [{ limits: { budgetPoints: 0 } }, "limits.budgetPoints"],
    [{ limits: { budgetPoints: 1.00001 } }, "limits.budgetPoints"],
    [{ limits: "none" }, "limits"]
  ])("%p is refused with 422 naming %s, on creation and replacement", async (fields, field) => {
    const created = await call("POST", "/campaign", { ...valid, ...fields })
    expect(created.status).toBe(422)
    expect(created.body).toMatchObject({ field })
    const existing = await create(valid)
    const replaced = await call("PUT", `/campaign/${existing.id}`, { name: "n", fulfillments: [bread], rewards: [coffee], ...fields })
    expect(replaced.status).toBe(422)
    expect(replaced.body).toMatchObject({ field })
  })

  test("a replacement leaves out what it does not say: status, window and limits go back to their defaults", async () => {
    const ruled = await create({ tenant: "replaced", name: "r", fulfillments: [bread], rewards: [coffee], status: "paused", endsAt: "2027-01-01T00:00:00Z", limits: { perUser: 1 } })
    const replaced = await call("PUT", `/campaign/${ruled.id}`, { name: "r2", fulfillments: [review], rewards: [coffee] })
    expect(replaced.status).toBe(200)
    expect(replaced.body).toMatchObject({ name: "r2", fulfillments: [review], status: "active", startsAt: null, endsAt: null, limits: {} })
  })

  test("a patch changes only what it names; null clears a bound or the limits; the window stays in order", async () => {
    const ruled = await create({
      tenant: "patched", name: "p", fulfillments: [bread], rewards: [coffee],
      startsAt: "2026-03-01T00:00:00Z", endsAt: "2026-04-01T00:00:00Z", limits: { perUser: 1, budgetPoints: 10 }
    })
    const paused = await call("PATCH", `/campaign/${ruled.id}`, { status: "paused" })
    expect(paused.status).toBe(200)
    const { updatedAt: _, ...unchanged } = ruled
    expect(paused.body).toMatchObject({ ...unchanged, status: "paused" })
    expect((await call("PATCH", `/campaign/${ruled.id}`, { limits: { perUserPerPeriod: { count: 2, period: "day" } } })).body.limits)
      .toEqual({ perUserPerPeriod: { count: 2, period: "day" } })
    for (const [body, field] of [
      [{ endsAt: "2026-02-01T00:00:00Z" }, "endsAt"],
      [{ startsAt: "2026-05-01T00:00:00Z" }, "endsAt"],
      [{ startsAt: "2026-05-01T00:00:00Z", endsAt: "2026-04-01T00:00:00Z" }, "endsAt"],
      [{ status: "gone" }, "status"],
      [{ tenant: "other" }, "tenant"],
      [{ fulfillments: [] }, "fulfillments"]
    ] as const) {
      const refused = await call("PATCH", `/campaign/${ruled.id}`, body)
      expect(`${JSON.stringify(body)} → ${refused.status} ${refused.body.field}`).toBe(`${JSON.stringify(body)} → 422 ${field}`)
    }
    const cleared = await call("PATCH", `/campaign/${ruled.id}`, { endsAt: null, limits: null, name: "q" })
    expect(cleared.body).toMatchObject({ name: "q", status: "paused", startsAt: "2026-03-01T00:00:00.000Z", endsAt: null, limits: {}, fulfillments: [bread] })
    expect((await call("PATCH", `/campaign/${ruled.id}`, { startsAt: "2026-05-01T00:00:00Z", tenant: "patched" })).body.startsAt).toBe("2026-05-01T00:00:00.000Z")
    expect((await call("PATCH", `/campaign/${ruled.id}`, {})).status).toBe(200)
    expect((await call("PATCH", `/campaign/${coffee}`, { status: "active" })).status).toBe(404)
  })

  test("Swagger UI's sample of every new request body is accepted as it is, and every new field is described with an example", async () => {
    const document = (await call("GET", "/swagger/json")).body
    const bodyOf = (path: string, method: string) => document.paths[path][method].requestBody.content["application/json"].schema as Json
    const campaign = await create({ tenant: "meiwei", name: "c", fulfillments: [bread], rewards: [coffee] })
    for (const [method, path, schemaPath] of [
      ["POST", "/campaign", "/campaign"],
      ["PUT", `/campaign/${campaign.id}`, "/campaign/{id}"],
      ["PATCH", `/campaign/${campaign.id}`, "/campaign/{id}"],
      ["POST", "/campaign/evaluate", "/campaign/evaluate"]
    ] as const) {
      const sample = swaggerSample(bodyOf(schemaPath, method.toLowerCase()))
      const response = await call(method, path, sample)
      expect(`${method} ${schemaPath} ${response.status}`).toBe(`${method} ${schemaPath} ${method === "POST" && path === "/campaign" ? 201 : 200}`)
    }
    const input = bodyOf("/campaign", "post").properties
    const limits = input.limits.properties
    const evaluation = bodyOf("/campaign/evaluate", "post").properties
    const fields = {
      "status": input.status, "startsAt": input.startsAt, "endsAt": input.endsAt, "limits": input.limits,
      "limits.perUser": limits.perUser, "limits.perUserPerPeriod": limits.perUserPerPeriod, "limits.perUserPerPeriod.period": limits.perUserPerPeriod.properties.period,
      "limits.budgetCompletions": limits.budgetCompletions, "limits.budgetPoints": limits.budgetPoints,
      "evaluate.userId": evaluation.userId, "evaluate.occurredAt": evaluation.occurredAt,
      "evaluate.fulfillments[].fulfillmentId": evaluation.fulfillments.items.properties.fulfillmentId,
      "evaluate.fulfillments[].basis": evaluation.fulfillments.items.properties.basis,
      "evaluate.fulfillments[].orderIds": evaluation.fulfillments.items.properties.orderIds
    } as Record<string, Json>
    // A field narrowing a shared schema (points, amounts) carries its own words in an `allOf` part.
    const parts = (schema: Json): Array<Json> => [schema, ...((schema.allOf ?? []) as Array<Json>)]
    const documented = (schema: Json) => parts(schema).some((p) => p.description) && parts(schema).some((p) => Array.isArray(p.examples))
    const undocumented = Object.entries(fields).filter(([, schema]) => !documented(schema)).map(([name]) => name)
    expect(undocumented).toEqual([])
    const progress = document.paths["/campaign/{id}/progress/{userId}"].get.responses["200"].content["application/json"].schema
    expect(progress.properties.reasons.items.properties.rule.enum).toContain("per-user-limit")
    expect(progress.examples[0].reasons.length).toBeGreaterThan(0)
  })

  test("progress says what holds the user back: limits reached, budgets used up, rewards it cannot count, and the round's basis", async () => {
    await publish("why", coffee, { kind: "fixed", points: "10" })
    const limited = await create({ tenant: "why", name: "l", fulfillments: [bread], rewards: [coffee], limits: { perUser: 1, budgetPoints: 15 } })
    const path = `/campaign/${limited.id}/progress/ada`
    expect((await call("GET", path)).body).toEqual({ campaignId: limited.id, tenant: "why", userId: "ada", completed: [], missing: [bread], completions: 0 })
    await fulfil("why", bread)
    expect((await call("GET", path)).body).toEqual({
      campaignId: limited.id, tenant: "why", userId: "ada", completed: [], missing: [bread], completions: 1,
      reasons: [
        { rule: "per-user-limit", message: "per-user limit reached (1/1)", count: 1, limit: 1 },
        { rule: "budget-points", message: "budget exhausted: 10/15 points used, this round needs 10", used: 10, limit: 15, needed: 10 }
      ]
    })
    await call("PATCH", `/campaign/${limited.id}`, { status: "paused", limits: null })
    expect((await call("GET", path)).body.reasons).toEqual([{ rule: "status", message: "the campaign is paused", status: "paused" }])

    const later = await create({ tenant: "why", name: "w", fulfillments: [bread], rewards: [coffee], startsAt: new Date(Date.now() + day).toISOString() })
    expect((await call("GET", `/campaign/${later.id}/progress/ada`)).body.reasons.map((r: Json) => r.rule)).toEqual(["window-not-started"])
    const over = await create({ tenant: "why", name: "o", fulfillments: [bread], rewards: [coffee], endsAt: new Date(Date.now() - day).toISOString() })
    expect((await call("GET", `/campaign/${over.id}/progress/ada`)).body.reasons.map((r: Json) => r.rule)).toEqual(["window-ended"])

    const waiting = await create({ tenant: "why", name: "u", fulfillments: [bread, review], rewards: [cake], limits: { budgetPoints: 100 } })
    await fulfil("why", bread, { basis: "129.99", orderIds: ["order-1001"] })
    expect((await call("GET", `/campaign/${waiting.id}/progress/ada`)).body).toMatchObject({
      completed: [bread],
      missing: [review],
      reasons: [
        { rule: "reward-unknown", rewardId: cake },
        { rule: "round-basis", message: "the round's spend so far is 129.99 (1 order)", basis: 129.99, orderIds: ["order-1001"] }
      ]
    })
  })

  test("progress names the per-period limit of the current period and a budget of completions another user used up", async () => {
    const daily = await create({ tenant: "why-period", name: "d", fulfillments: [bread], rewards: [coffee], limits: { perUserPerPeriod: { count: 1, period: "day" } } })
    await fulfil("why-period", bread, { occurredAt: new Date().toISOString() })
    const [reason] = (await call("GET", `/campaign/${daily.id}/progress/ada`)).body.reasons
    expect(reason).toMatchObject({ rule: "per-period-limit", count: 1, limit: 1, period: "day" })
    expect(Date.parse(reason.periodStart)).toBeLessThanOrEqual(Date.now())
    expect(Date.parse(reason.periodEnd)).toBeGreaterThan(Date.now())
    // Yesterday's completion does not count today.
    const yesterday = await create({ tenant: "why-period", name: "y", fulfillments: [bread], rewards: [coffee], limits: { perUserPerPeriod: { count: 1, period: "day" } } })
    await fulfil("why-period", bread, { occurredAt: new Date(Date.now() - 2 * day).toISOString(), userId: "bob" })
    expect((await call("GET", `/campaign/${yesterday.id}/progress/bob`)).body).toMatchObject({ completions: 1 })
    expect((await call("GET", `/campaign/${yesterday.id}/progress/bob`)).body.reasons).toBeUndefined()

    const budget = await create({ tenant: "why-budget", name: "b", fulfillments: [bread], rewards: [coffee], limits: { budgetCompletions: 1 } })
    await fulfil("why-budget", bread, { userId: "bob" })
    expect((await call("GET", `/campaign/${budget.id}/progress/ada`)).body.reasons)
      .toEqual([{ rule: "budget-completions", message: "budget exhausted: 1/1 completions", used: 1, limit: 1 }])
  })

  test("evaluate answers what the completions would do in each campaign holding them, and stores and emits nothing", async () => {
    await publish("evaluate", coffee, { kind: "per_amount", pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: "500" })
    const completes = await create({ tenant: "evaluate", name: "completes", fulfillments: [bread], rewards: [coffee, cake] })
    const paused = await create({ tenant: "evaluate", name: "paused", fulfillments: [bread], rewards: [coffee], status: "paused" })
    const once = await create({ tenant: "evaluate", name: "once", fulfillments: [bread], rewards: [coffee], limits: { perUser: 1 } })
    const closed = await create({ tenant: "evaluate", name: "closed", fulfillments: [bread], rewards: [coffee], endsAt: "2026-03-01T00:00:00Z" })
    // The user's one completion so far, before the campaign of two fulfillments existed.
    await fulfil("evaluate", bread, { occurredAt: "2026-02-01T00:00:00Z", basis: "5" })
    const advances = await create({ tenant: "evaluate", name: "advances", fulfillments: [bread, review], rewards: [coffee] })
    await create({ tenant: "evaluate", name: "unrelated", fulfillments: [review], rewards: [coffee] })
    const before = await Promise.all(["campaign.progress", "campaign.outbox", "campaign.processed_events", "campaign.budget_usage"].map(count))

    const answer = await call("POST", "/campaign/evaluate", {
      tenant: "evaluate", userId: "ada", occurredAt: "2026-03-14T10:00:00Z",
      fulfillments: [{ fulfillmentId: bread.toUpperCase(), basis: 129.99, orderIds: ["order-1001"] }]
    })
    expect(answer.status).toBe(200)
    const basis = { rule: "round-basis", message: "the round's spend so far is 129.99 (1 order)", basis: 129.99, orderIds: ["order-1001"] }
    expect(answer.body).toEqual({
      campaigns: [
        { campaignId: completes.id, name: "completes", outcome: "completes", reasons: [basis], rewards: [{ rewardId: coffee, points: 12 }, { rewardId: cake, points: null }] },
        { campaignId: paused.id, name: "paused", outcome: "unchanged", reasons: [{ rule: "status", message: "the campaign is paused", status: "paused" }], rewards: [{ rewardId: coffee, points: 0 }] },
        {
          campaignId: once.id, name: "once", outcome: "blocked",
          reasons: [{ rule: "per-user-limit", message: "per-user limit reached (1/1)", count: 1, limit: 1 }, basis],
          rewards: [{ rewardId: coffee, points: 12 }]
        },
        {
          campaignId: closed.id, name: "closed", outcome: "unchanged",
          reasons: [{ rule: "window-ended", message: "the campaign counted events until 2026-03-01T00:00:00.000Z", endsAt: "2026-03-01T00:00:00.000Z" }],
          rewards: [{ rewardId: coffee, points: 0 }]
        },
        { campaignId: advances.id, name: "advances", outcome: "advances", reasons: [basis], rewards: [{ rewardId: coffee, points: 12 }] }
      ]
    })
    expect(await Promise.all(["campaign.progress", "campaign.outbox", "campaign.processed_events", "campaign.budget_usage"].map(count))).toEqual(before)
    const none = await call("POST", "/campaign/evaluate", { tenant: "evaluate", userId: "ada", occurredAt: "2026-03-14T10:00:00Z", fulfillments: [{ fulfillmentId: coffee }] })
    expect(none.body).toEqual({ campaigns: [] })
  })

  test.each([
    [{ fulfillments: [] }, "fulfillments"],
    [{ fulfillments: [{ fulfillmentId: "bread" }] }, "fulfillments[0].fulfillmentId"],
    [{ fulfillments: [{ fulfillmentId: bread, basis: -1 }] }, "fulfillments[0].basis"],
    [{ occurredAt: "2026-03-14" }, "occurredAt"],
    [{ userId: "" }, "userId"],
    [{ tenant: "nosuchshop" }, "tenant"]
  ])("an evaluation %p is refused with 422 naming %s", async (fields, field) => {
    const response = await call("POST", "/campaign/evaluate", { tenant: "evaluate", userId: "ada", occurredAt: "2026-03-14T10:00:00Z", fulfillments: [{ fulfillmentId: bread }], ...fields })
    expect(response.status).toBe(422)
    expect(response.body).toMatchObject({ field })
  })
})
