import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import type { AnyElysia } from "elysia"
import { activityHandler, buyHandler } from "../../src/actors/fulfillment/actor.ts"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import type { EventIngestion } from "../../src/actors/fulfillment/ingestion.ts"
import type { PurchaseImports } from "../../src/actors/fulfillment/imports/service.ts"
import { RulesIndex } from "../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../src/actors/fulfillment/derive/rule-starts.ts"
import type { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { Database } from "../../src/db/database.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { campaignService } from "../../src/actors/campaign/definition.ts"
import type { CampaignUseCases } from "../../src/actors/campaign/service.ts"
import type { CampaignBackfills } from "../../src/actors/campaign/backfill/service.ts"
import { anonymousApp, appOver, request } from "../support/app.ts"
import { peerPort } from "../support/peer.ts"
import { rewardDefinitionHandler } from "../../src/actors/campaign/reward-definitions/consumer.ts"
import { headersOf } from "../support/credentials.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"

type Json = Record<string, unknown>
const user = "0e41cc11-5e54-448b-a6ce-9c9a855ad202"

describe("dry runs of ingestion: what events would do, with nothing stored or sent", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | EventIngestion | PurchaseImports | TenantDirectory | RulesIndex | RuleStarts | RuleStarts>>
  let campaignPeer: Awaited<ReturnType<typeof peerPort>>
  let app: AnyElysia
  const ids: Record<string, string> = {}
  let campaignRuntime: ReturnType<typeof useCasesRuntime<CampaignUseCases | CampaignBackfills | TenantDirectory>>
  let campaignApp: AnyElysia
  let adminHeaders: Record<string, string>

  const json = async (method: string, path: string, body?: unknown) => {
    const response = await request(app, method, path, body)
    return { status: response.status, body: (await response.json()) as Json }
  }
  const create = async (kind: "buy" | "tag", body: Json) => {
    const created = await json("POST", `/${kind}-fulfillments/`, { tenant: "meiwei", ...body })
    expect(created.status).toBe(201)
    ids[String(body.name)] = created.body.fulfillment_id as string
  }
  /** Every table of the fulfillment schema with its row count, and every topic with its messages. */
  const footprint = () =>
    runtime.runPromise(Effect.gen(function*() {
      const db = yield* Database
      const tables = yield* db.run((sql) => sql<Array<{ name: string }>>`select table_name as name from information_schema.tables where table_schema = 'fulfillment' order by 1`)
      const counts: Record<string, number> = {}
      for (const { name } of tables) {
        const [row] = yield* db.run((sql) => sql<Array<{ n: number }>>`select count(*)::int as n from ${sql(`fulfillment.${name}`)}`)
        counts[name] = row!.n
      }
      const { kafka } = yield* KafkaClient
      const admin = kafka.admin()
      const topics = yield* Effect.promise(async () => {
        await admin.connect()
        try {
          const names = await admin.listTopics()
          const offsets = await Promise.all(names.map(async (topic) => [topic, (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0)] as const))
          return Object.fromEntries(offsets)
        } finally {
          await admin.disconnect()
        }
      })
      return { counts, topics }
    }))

  beforeAll(async () => {
    database = await createTestDatabase()
    // The campaign service answers over HTTP on a port of its own, as it would in production.
    campaignPeer = await peerPort("campaign")
    runtime = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases, RulesIndex.layer, RuleStarts.layer), { peers: campaignPeer.peers })
    await registerTenantsIn(runtime, ["meiwei"])
    app = await appOver(runtime, "fulfillment", fulfillmentService.routes)
    campaignRuntime = useCasesRuntime(database.url, campaignService.useCases)
    campaignApp = await anonymousApp(campaignRuntime, "campaign", campaignService.routes)
    campaignPeer.serve(campaignApp)
    adminHeaders = await headersOf(campaignRuntime as never, "admin")
    await create("buy", { name: "bread", product: "bread", amount: 100 })
    await create("buy", { name: "cake", product: "cake", amount: 10 })
    await create("buy", { name: "big bread", product: "bread", amount: 150 })
    await create("buy", { name: "five loaves", product: "bread", amount: 0, count: 5, within: "P30D" })
    await create("buy", { name: "spend 500", product: "", amount: 0, total: 500, period: "month" })
    await create("tag", { name: "review", tag: "review", count: 2 })
    // Three loaves this month already, one review.
    const loaves = ["l1", "l2", "l3"].map((eventId, i) => ({ tenant: "meiwei", product: "bread", amount: 20, userId: user, eventId, occurredAt: `2026-03-0${i + 1}T10:00:00Z` }))
    await runtime.runPromise(processBatch("fulfillment", buyHandler, rawMessages("buy", loaves)))
    await runtime.runPromise(processBatch("fulfillment", activityHandler, rawMessages("activity", [{ tenant: "meiwei", userId: user, tag: "review", eventId: "r1", occurredAt: "2026-03-02T10:00:00Z" }])))
  })
  afterAll(async () => {
    campaignPeer?.stop()
    await campaignRuntime?.dispose()
    await runtime.dispose()
    await database.drop()
  })

  test("a purchase is judged against every fulfillment of the tenant and the user's stored progress, and nothing is stored or sent", async () => {
    const before = await footprint()
    const purchase = { tenant: "meiwei", product: "bread", amount: 120, userId: user, orderId: "order-9", occurredAt: "2026-03-10T12:00:00Z" }
    const answer = await json("POST", "/events/buy?dryRun=true", purchase)
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      dryRun: true,
      events: [{
        index: 0,
        tenant: "meiwei",
        userId: user,
        occurredAt: "2026-03-10T12:00:00.000Z",
        fulfillments: [
          { fulfillment_id: ids.bread, kind: "buy", name: "bread", matched: true },
          { fulfillment_id: ids.cake, kind: "buy", name: "cake", matched: false, reason: "product differs" },
          { fulfillment_id: ids["big bread"], kind: "buy", name: "big bread", matched: false, reason: "amount 120 < 150" },
          { fulfillment_id: ids["five loaves"], kind: "buy", name: "five loaves", matched: false, reason: "3 of 5 purchases in the last 30 days (this one would make 4)" },
          { fulfillment_id: ids["spend 500"], kind: "buy", name: "spend 500", matched: false, reason: "60 of 500 spent this month (this one would make 180)" },
          { fulfillment_id: ids.review, kind: "tag", name: "review", matched: false, reason: "a tag fulfillment: needs an activity tagged review" }
        ],
        completions: [{ fulfillmentId: ids.bread, occurredAt: "2026-03-10T12:00:00.000Z", basis: "120", orderIds: ["order-9"] }],
        campaigns: []
      }]
    })
    expect(await footprint()).toEqual(before)
    // Without dryRun the same purchase is sent, and the footprint shows it.
    expect((await json("POST", "/events/buy", { ...purchase, eventId: "real-1" })).status).toBe(202)
    const after = await footprint()
    expect(after.topics.buy).toBe((before.topics.buy ?? 0) + 1)
  })

  test("the events of one request are judged in order, each as if the ones before it were applied; no id is needed", async () => {
    const loaf = (amount: number, day: string) => ({ tenant: "meiwei", product: "bread", amount, userId: user, occurredAt: `2026-03-${day}T12:00:00Z` })
    const answer = await json("POST", "/events/buy?dryRun=true", [loaf(10, "11"), loaf(430, "12")])
    expect(answer.status).toBe(200)
    const events = answer.body.events as Array<{ fulfillments: Array<Json>; completions: Array<Json> }>
    const verdict = (i: number, name: string) => events[i]!.fulfillments.find((f) => f.name === name)
    expect(verdict(0, "five loaves")).toMatchObject({ matched: false, reason: "3 of 5 purchases in the last 30 days (this one would make 4)" })
    expect(verdict(1, "five loaves")).toMatchObject({ matched: true })
    expect(verdict(1, "spend 500")).toMatchObject({ matched: true })
    const used = ["l1", "l2", "l3", "loyaltea:dry-run/0", "loyaltea:dry-run/1"]
    const at = "2026-03-12T12:00:00.000Z"
    expect(events[1]!.completions).toEqual([
      { fulfillmentId: ids["spend 500"], occurredAt: at, basis: "500", orderIds: used },
      { fulfillmentId: ids["five loaves"], occurredAt: at, basis: "500", orderIds: used },
      { fulfillmentId: ids.bread, occurredAt: at, basis: "430", orderIds: ["loyaltea:dry-run/1"] },
      { fulfillmentId: ids["big bread"], occurredAt: at, basis: "430", orderIds: ["loyaltea:dry-run/1"] }
    ])
    // The same body without dryRun needs ids, as ingestion always did.
    expect((await json("POST", "/events/buy", [loaf(10, "11")])).body).toMatchObject({ field: "[0].eventId" })
  })

  test("an activity: tag differs, or the review that would make two", async () => {
    const before = await footprint()
    const answer = await json("POST", "/events/activity?dryRun=true", { tenant: "meiwei", userId: user, tag: "review", occurredAt: "2026-03-04T10:00:00Z" })
    const [event] = answer.body.events as Array<{ fulfillments: Array<Json>; completions: Array<Json> }>
    expect(event!.fulfillments.find((f) => f.name === "review")).toEqual({ fulfillment_id: ids.review, kind: "tag", name: "review", matched: true })
    expect(event!.fulfillments.find((f) => f.name === "bread")).toMatchObject({ matched: false, reason: "a buy fulfillment: needs a purchase" })
    expect(event!.completions).toEqual([{ fulfillmentId: ids.review, occurredAt: "2026-03-04T10:00:00.000Z" }])
    const signup = await json("POST", "/events/activity?dryRun=true", { tenant: "meiwei", userId: "bob", tag: "signup" })
    const [other] = signup.body.events as Array<{ fulfillments: Array<Json> }>
    expect(other!.fulfillments.find((f) => f.name === "review")).toMatchObject({ matched: false, reason: "tag differs" })
    expect(await footprint()).toEqual(before)
  })

  test("an event older than the window still open does not count, and says so", async () => {
    const answer = await json("POST", "/events/buy?dryRun=true", { tenant: "meiwei", product: "bread", amount: 20, userId: user, occurredAt: "2026-01-15T10:00:00Z" })
    const [event] = answer.body.events as Array<{ fulfillments: Array<Json> }>
    expect(event!.fulfillments.find((f) => f.name === "five loaves")?.reason).toBe(
      "too old: its window has moved on; only events after 2026-02-01T10:00:00.000Z still count"
    )
    expect(event!.fulfillments.find((f) => f.name === "spend 500")?.reason).toBe(
      "too old: its window has moved on; only events from 2026-03-01T00:00:00.000Z on still count"
    )
  })

  test("a dry run is checked like ingestion: the body, the tenant, and dryRun itself", async () => {
    expect((await json("POST", "/events/buy?dryRun=true", { tenant: "meiwei", product: "bread", amount: -1, userId: user })).body).toMatchObject({ field: "amount" })
    expect((await json("POST", "/events/buy?dryRun=true", { tenant: "nosuchshop", product: "bread", amount: 1, userId: user })).body).toMatchObject({ field: "tenant" })
    expect((await json("POST", "/events/buy?dryRun=maybe", { tenant: "meiwei", product: "bread", amount: 1, userId: user })).body).toMatchObject({ field: "dryRun" })
  })

  test("the campaigns the completions would advance or complete are asked of the campaign service, with the points each reward would credit", async () => {
    const reward = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
    // The reward's rule, as the campaign service learns it from topic reward-definition.
    const definition = { tenant: "meiwei", rewardId: reward, version: 1, deleted: false, kind: "per_amount", pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: "500", eventId: "rd-1" }
    await campaignRuntime.runPromise(processBatch("campaign", rewardDefinitionHandler, rawMessages("reward-definition", [definition])))
    const created = await request(campaignApp, "POST", "/campaign", { tenant: "meiwei", name: "bread lovers", fulfillments: [ids.bread], rewards: [reward] }, adminHeaders)
    expect(created.status).toBe(201)
    const campaignId = ((await created.json()) as { id: string }).id
    const before = await footprint()
    const answer = await json("POST", "/events/buy?dryRun=true", { tenant: "meiwei", product: "bread", amount: 129.99, userId: user, occurredAt: "2026-03-10T12:00:00Z" })
    expect(answer.status).toBe(200)
    const [event] = answer.body.events as Array<{ campaigns: Array<Json> }>
    expect(event!.campaigns).toEqual([{
      campaignId,
      name: "bread lovers",
      outcome: "completes",
      reasons: [{ rule: "round-basis", message: "the round's spend so far is 129.99 (1 order)", basis: 129.99, orderIds: ["loyaltea:dry-run/0"] }],
      rewards: [{ rewardId: reward, points: 12 }]
    }])
    expect(await footprint()).toEqual(before)
  })
})
