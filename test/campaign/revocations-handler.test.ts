import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { progressHandler } from "../../src/actors/campaign/actor.ts"
import { CampaignIndex } from "../../src/actors/campaign/campaign-index.ts"
import { campaignService } from "../../src/actors/campaign/definition.ts"
import type { CampaignInput } from "../../src/actors/campaign/model.ts"
import { rewardDefinitionHandler } from "../../src/actors/campaign/reward-definitions/consumer.ts"
import { revocationHandler } from "../../src/actors/campaign/revocations/handler.ts"
import { CampaignUseCases } from "../../src/actors/campaign/service.ts"
import type { CampaignBackfills } from "../../src/actors/campaign/backfill/service.ts"
import { Database } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { derivedEventId } from "../../src/events/event-id.ts"
import { rewardDefinitionEventId } from "../../src/events/reward-definition.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { appOver, request } from "../support/app.ts"
import { emittedSql } from "../support/emitted.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { tenant } from "../support/values.ts"

const f = (n: number) => `f0000000-0000-4000-8000-${String(n).padStart(12, "0")}`
const r = (n: number) => `e0000000-0000-4000-9000-${String(n).padStart(12, "0")}`

interface Out {
  readonly topic: string
  readonly value: Record<string, unknown>
}

describe("the campaign actor's revocation handler", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<CampaignUseCases | CampaignBackfills | CampaignIndex | TenantDirectory>>
  const offsets: Record<string, number> = {}
  const run = <A, E>(effect: Effect.Effect<A, E, CampaignUseCases | CampaignIndex | Database | TenantDirectory>) => runtime.runPromise(effect)
  const query = <T>(text: string) => run(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql.unsafe(text) as unknown as Promise<T>)))
  const emittedIds = async () => new Set((await query<Array<{ id: string }>>(`select id from (${emittedSql("campaign")}) e`)).map((row) => row.id))
  /** One batch through the handler of `topic`; what it emitted. */
  const consume = async (topic: "fulfillment" | "fulfillment-revoked" | "reward-definition", values: ReadonlyArray<unknown>): Promise<Array<Out>> => {
    const before = await emittedIds()
    const firstOffset = offsets[topic] ?? 0
    offsets[topic] = firstOffset + values.length
    const handler = topic === "fulfillment" ? progressHandler : topic === "fulfillment-revoked" ? revocationHandler : rewardDefinitionHandler
    await run(processBatch("campaign", handler as typeof progressHandler, rawMessages(topic, values, { firstOffset })))
    const rows = await query<Array<{ id: string; topic: string; value: string }>>(`select id, topic, value from (${emittedSql("campaign")}) e order by id::numeric`)
    return rows.filter((row) => !before.has(row.id)).map((row) => ({ topic: row.topic, value: JSON.parse(row.value) }))
  }
  const of = (topic: string, out: ReadonlyArray<Out>) => out.filter((o) => o.topic === topic).map((o) => o.value)
  const create = (body: Omit<CampaignInput, "tenant" | "name"> & { tenant: string }) =>
    run(Effect.flatMap(Effect.service(CampaignUseCases), (u) => u.createCampaign(allTenants, { ...body, tenant: tenant(body.tenant), name: "c" }))).then((c) => c.id)
  const define = (tenantName: string, rewardId: string, rule: Record<string, unknown>) =>
    consume("reward-definition", [{ tenant: tenantName, rewardId, version: 1, deleted: false, eventId: rewardDefinitionEventId(rewardId, 1), ...rule }])
  const done = (tenantName: string, eventId: string, fulfillmentId: string, basis?: string, orderIds?: Array<string>) => ({
    tenant: tenantName, fulfillmentId, userId: "ada", eventId, causeEventId: `buy-${eventId}`, occurredAt: "2026-03-01T10:00:00Z",
    ...(basis !== undefined && { basis }), ...(orderIds !== undefined && { orderIds })
  })
  const revoke = (tenantName: string, eventId: string, fulfillmentEventId: string, fulfillmentId: string, holds: boolean, basis: string, refundedBasis: string) => ({
    tenant: tenantName, fulfillmentId, userId: "ada", eventId, causeEventId: `refund-${eventId}`, fulfillmentEventId, orderId: "o-1",
    occurredAt: "2026-03-05T10:00:00Z", holds, basis, refundedBasis
  })
  const progressOf = async (tenantName: string) =>
    query<Array<{ completed: Array<string>; completions: number; basis: string | null }>>(
      `select completed::text[], completions, basis::text from campaign.progress where tenant = '${tenantName}' and user_id = 'ada'`)

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.merge(campaignService.useCases, CampaignIndex.layer))
    await registerTenantsIn(runtime, ["shrink", "open", "early", "budget", "theirs", "mine", "late-rule", "race", "shared"])
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a shrunk spend takes back only from per_amount rewards, by recomputation; a revoked fulfillment takes back what still stands, once", async () => {
    await define("shrink", r(1), { kind: "per_amount", pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: null })
    await define("shrink", r(2), { kind: "fixed", points: "5" })
    const campaign = await create({ tenant: "shrink", fulfillments: [f(1)], rewards: [r(1), r(2)] })
    const granted = of("reward", await consume("fulfillment", [done("shrink", "e-1", f(1), "159.99", ["o-1"])]))
    expect(granted.map((g) => [g.rewardId, g.points])).toEqual([[r(1), "15"], [r(2), "5"]])

    const shrunk = of("reward-revoked", await consume("fulfillment-revoked", [revoke("shrink", "v-1", "e-1", f(1), true, "120", "39.99")]))
    expect(shrunk).toEqual([{
      tenant: "shrink", rewardId: r(1), userId: "ada", campaignId: campaign, eventId: derivedEventId("reward-revoked", "v-1", campaign, r(1)),
      causeEventId: "v-1", rewardEventId: granted[0]!.eventId, orderId: "o-1", occurredAt: "2026-03-05T10:00:00Z", points: "3"
    }])
    const gone = of("reward-revoked", await consume("fulfillment-revoked", [revoke("shrink", "v-2", "e-1", f(1), false, "0", "120")]))
    // What still stands of the per_amount credit (12 of 15), and the fixed one whole.
    expect(gone.map((g) => [g.rewardId, g.rewardEventId, g.points])).toEqual([[r(1), granted[0]!.eventId, "12"], [r(2), granted[1]!.eventId, undefined]])
    expect(of("reward-revoked", await consume("fulfillment-revoked", [revoke("shrink", "v-3", "e-1", f(1), false, "0", "0")]))).toEqual([])
    // Replaying them changes nothing.
    offsets["fulfillment-revoked"] = 0
    expect(await consume("fulfillment-revoked", [revoke("shrink", "v-1", "e-1", f(1), true, "120", "39.99"), revoke("shrink", "v-2", "e-1", f(1), false, "0", "120")])).toEqual([])
    expect((await progressOf("shrink"))[0]!.completions).toBe(0)
  })

  test("a per_amount reward whose rule became known only after the round is shrunk by what its rule counts on the round's spend then and now", async () => {
    await create({ tenant: "late-rule", fulfillments: [f(1)], rewards: [r(1)] })
    const [granted] = of("reward", await consume("fulfillment", [done("late-rule", "l-1", f(1), "150", ["o-1"])]))
    expect(granted!.points).toBeUndefined()
    await define("late-rule", r(1), { kind: "per_amount", pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: null })
    const shrunk = of("reward-revoked", await consume("fulfillment-revoked", [revoke("late-rule", "l-v1", "l-1", f(1), true, "100", "50")]))
    expect(shrunk.map((e) => [e.rewardEventId, e.points])).toEqual([[granted!.eventId, "5"]])
    const gone = of("reward-revoked", await consume("fulfillment-revoked", [revoke("late-rule", "l-v2", "l-1", f(1), false, "0", "100")]))
    expect(gone.map((e) => e.points)).toEqual(["10"])
  })

  test("one purchase that met two fulfillments of a round is counted once, so its refund shrinks the round's spend once", async () => {
    await define("shared", r(1), { kind: "per_amount", pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: null })
    await create({ tenant: "shared", fulfillments: [f(1), f(2)], rewards: [r(1)] })
    const [granted] = of("reward", await consume("fulfillment", [done("shared", "s-1", f(1), "150", ["o-1"]), done("shared", "s-2", f(2), "150", ["o-1"])]))
    expect(granted).toMatchObject({ basis: "150", points: "15" })
    const shrunk = of("reward-revoked", await consume("fulfillment-revoked", [
      revoke("shared", "s-v1", "s-1", f(1), true, "120", "30"), revoke("shared", "s-v2", "s-2", f(2), true, "120", "30")
    ]))
    expect(shrunk.map((e) => e.points)).toEqual(["3"])
    expect(await query<Array<{ basis: string }>>(`select basis::text from campaign.completed_rounds where tenant = 'shared'`)).toEqual([{ basis: "120" }])
  })

  test("a revoked fulfillment leaves its open round: the campaign is met only once it is met again", async () => {
    await create({ tenant: "open", fulfillments: [f(1), f(2)], rewards: [r(1)] })
    await consume("fulfillment", [done("open", "o-e1", f(1), "100", ["o-1"])])
    expect(await progressOf("open")).toEqual([{ completed: [f(1)], completions: 0, basis: "100" }])
    await consume("fulfillment-revoked", [revoke("open", "o-v1", "o-e1", f(1), false, "0", "100")])
    expect(await progressOf("open")).toEqual([{ completed: [], completions: 0, basis: "0" }])
    expect(of("reward", await consume("fulfillment", [done("open", "o-e2", f(2))]))).toEqual([])
    expect(of("reward", await consume("fulfillment", [done("open", "o-e3", f(1), "80", ["o-2"])]))).toHaveLength(1)
  })

  test("a revocation before its fulfillment event is held, then judged with it: nothing credited that a refund took back", async () => {
    await define("early", r(1), { kind: "per_amount", pointsPerUnit: "1", unit: "1", rounding: "down", maxPoints: null })
    await create({ tenant: "early", fulfillments: [f(1)], rewards: [r(1)] })
    expect(await consume("fulfillment-revoked", [revoke("early", "x-v1", "x-e1", f(1), false, "0", "100"), revoke("early", "x-v2", "x-e2", f(1), true, "60", "40")])).toEqual([])
    expect(await query<Array<{ n: number }>>(`select count(*)::int as n from campaign.held_revocations where tenant = 'early'`)).toEqual([{ n: 2 }])
    const app = await appOver(runtime, "campaign", campaignService.routes)
    const held = await request(app, "GET", "/held-revocations?tenant=early")
    expect(await held.json()).toEqual({ tenants: [{ tenant: "early", held: 2, oldest: expect.stringMatching(/Z$/) }] })
    const granted = of("reward", await consume("fulfillment", [done("early", "x-e1", f(1), "100", ["o-1"]), done("early", "x-e2", f(1), "100", ["o-2"])]))
    expect(granted.map((g) => [g.causeEventId, g.points])).toEqual([["x-e2", "60"]])
    expect(await query<Array<{ n: number }>>(`select count(*)::int as n from campaign.held_revocations where tenant = 'early'`)).toEqual([{ n: 0 }])
    expect(await (await request(app, "GET", "/held-revocations?tenant=early")).json()).toEqual({ tenants: [] })
  })

  test("a reversed round gives its completion and points back to the budget", async () => {
    await define("budget", r(1), { kind: "fixed", points: "10" })
    await create({ tenant: "budget", fulfillments: [f(1)], rewards: [r(1)], limits: { budgetCompletions: 1, budgetPoints: 10 } })
    expect(of("reward", await consume("fulfillment", [done("budget", "b-e1", f(1))]))).toHaveLength(1)
    expect(of("reward", await consume("fulfillment", [done("budget", "b-e2", f(1))]))).toEqual([])
    await consume("fulfillment-revoked", [revoke("budget", "b-v1", "b-e1", f(1), false, "0", "0")])
    expect(await query<Array<{ completions: number; points: string }>>(`select completions, points::text from campaign.budget_usage where tenant = 'budget'`))
      .toEqual([{ completions: 0, points: "0" }])
    expect(of("reward", await consume("fulfillment", [done("budget", "b-e3", f(1))]))).toHaveLength(1)
  })

  test("a revocation in another tenant naming this tenant's fulfillment event touches nothing of it", async () => {
    await create({ tenant: "mine", fulfillments: [f(1)], rewards: [r(1)] })
    await create({ tenant: "theirs", fulfillments: [f(1)], rewards: [r(1)] })
    expect(of("reward", await consume("fulfillment", [done("mine", "m-e1", f(1))]))).toHaveLength(1)
    expect(await consume("fulfillment-revoked", [revoke("theirs", "t-v1", "m-e1", f(1), false, "0", "0")])).toEqual([])
    expect(await query<Array<{ revoked: boolean }>>(`select revoked from campaign.completed_rounds where tenant = 'mine'`)).toEqual([{ revoked: false }])
    expect(await query<Array<{ tenant: string }>>(`select tenant from campaign.held_revocations where fulfillment_event_id = 'm-e1'`)).toEqual([{ tenant: "theirs" }])
  })

  test("a fulfillment event and its revocation handled at the same time in two transactions never miss each other", async () => {
    await create({ tenant: "race", fulfillments: [f(1), f(2)], rewards: [r(1)] })
    for (let round = 0; round < 8; round++) {
      const userId = `racer-${round}`
      await Promise.all([
        run(processBatch("campaign", progressHandler, rawMessages("fulfillment", [{ ...done("race", `re-${round}`, f(1), "50", ["o"]), userId }], { firstOffset: 1000 + round }))),
        run(processBatch("campaign", revocationHandler as never, rawMessages("fulfillment-revoked", [{ ...revoke("race", `rv-${round}`, `re-${round}`, f(1), false, "0", "50"), userId }], { firstOffset: 1000 + round })))
      ])
      const rows = await query<Array<{ completed: Array<string> }>>(`select completed::text[] from campaign.progress where tenant = 'race' and user_id = '${userId}'`)
      expect(rows.flatMap((row) => row.completed)).toEqual([])
    }
    expect(await query<Array<{ n: number }>>(`select count(*)::int as n from campaign.held_revocations where tenant = 'race'`)).toEqual([{ n: 0 }])
  })
})
