import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { progressHandler } from "../../src/actors/campaign/actor.ts"
import { CampaignIndex } from "../../src/actors/campaign/campaign-index.ts"
import { campaignService } from "../../src/actors/campaign/definition.ts"
import type { CampaignInput, CampaignPatch } from "../../src/actors/campaign/model.ts"
import { rewardDefinitionHandler } from "../../src/actors/campaign/reward-definitions/consumer.ts"
import { CampaignUseCases } from "../../src/actors/campaign/service.ts"
import { Database } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { rewardDefinitionEventId } from "../../src/events/reward-definition.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { emittedSql } from "../support/emitted.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { tenant } from "../support/values.ts"

const f = (n: number) => `f0000000-0000-4000-8000-${String(n).padStart(12, "0")}`
const r = (n: number) => `e0000000-0000-4000-9000-${String(n).padStart(12, "0")}`

interface RewardOut {
  rewardId: string
  userId: string
  campaignId: string
  causeEventId: string
  occurredAt?: string
  basis?: string
  orderIds?: Array<string>
  points?: string
}

describe("campaign lifecycle, windows and limits through the fulfillment handler", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<CampaignUseCases | CampaignIndex | TenantDirectory>>
  // Another process of the service: its own pool and use cases, no share in this one's memory.
  let other: ReturnType<typeof useCasesRuntime<CampaignUseCases | TenantDirectory>>
  let offset = 0
  const run = <A, E>(effect: Effect.Effect<A, E, CampaignUseCases | CampaignIndex | Database | TenantDirectory>) => runtime.runPromise(effect)
  const query = <T>(text: string) => run(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql.unsafe(text) as unknown as Promise<T>)))
  const consume = (values: ReadonlyArray<unknown>, timestamp?: string) => {
    const messages = rawMessages("fulfillment", values, { firstOffset: offset, ...(timestamp && { timestamp: Date.parse(timestamp) }) })
    offset += values.length
    return run(processBatch("campaign", progressHandler, messages))
  }
  let definitionOffset = 0
  const publishDefinitions = (values: ReadonlyArray<unknown>) => {
    const messages = rawMessages("reward-definition", values, { firstOffset: definitionOffset })
    definitionOffset += values.length
    return run(processBatch("campaign", rewardDefinitionHandler, messages))
  }
  const definition = (tenantName: string, rewardId: string, version: number, rule: Record<string, unknown>, deleted = false) =>
    ({ tenant: tenantName, rewardId, version, deleted, eventId: rewardDefinitionEventId(rewardId, version), ...rule })
  let n = 0
  const done = (tenantName: string, fulfillmentId: string, options: { userId?: string; occurredAt?: string; basis?: string; orderIds?: Array<string> } = {}) => {
    const eventId = `${tenantName}-${n++}`
    return {
      tenant: tenantName,
      fulfillmentId,
      userId: options.userId ?? "ada",
      eventId,
      causeEventId: `buy-${eventId}`,
      ...(options.occurredAt && { occurredAt: options.occurredAt }),
      ...(options.basis && { basis: options.basis }),
      ...(options.orderIds && { orderIds: options.orderIds })
    }
  }
  const createIn = (rt: typeof runtime | typeof other, body: Omit<CampaignInput, "tenant" | "name"> & { tenant: string }) =>
    rt.runPromise(Effect.flatMap(Effect.service(CampaignUseCases), (u) =>
      u.createCampaign(allTenants, { ...body, tenant: tenant(body.tenant), name: "c" }))).then((c) => c.id)
  const patchIn = (rt: typeof runtime | typeof other, id: string, patch: CampaignPatch) =>
    rt.runPromise(Effect.flatMap(Effect.service(CampaignUseCases), (u) => u.patchCampaign(allTenants, id, patch)))
  const rewardsOf = async (tenantName: string) =>
    (await query<Array<{ value: string }>>(`select value from (${emittedSql("campaign")}) e where topic = 'reward' order by id::numeric`))
      .map((row) => JSON.parse(row.value) as RewardOut & { tenant: string })
      .filter((event) => event.tenant === tenantName)
  const progressOf = (tenantName: string, userId = "ada") =>
    query<Array<{ completed: Array<string>; completions: number; basis: string | null }>>(
      `select completed::text[], completions, basis::text from campaign.progress where tenant = '${tenantName}' and user_id = '${userId}'`)

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.merge(campaignService.useCases, CampaignIndex.layer))
    await registerTenantsIn(runtime, ["paused", "late", "remote", "points", "mirror", "per-user", "budget", "daily", "unknown"])
    other = useCasesRuntime(database.url, campaignService.useCases)
    await run(Effect.void)
  })
  afterAll(async () => {
    await other.dispose()
    await runtime.dispose()
    await database.drop()
  })

  test("a campaign paused mid-stream advances nothing until it is active again", async () => {
    const campaign = await createIn(runtime, { tenant: "paused", fulfillments: [f(1), f(2)], rewards: [r(1)] })
    await consume([done("paused", f(1))])
    await patchIn(runtime, campaign, { status: "paused" })
    // While paused f(2) is not counted, and neither is a new round's f(1).
    expect(await consume([done("paused", f(2)), done("paused", f(1), { userId: "bob" })])).toMatchObject({ applied: 2, deadLettered: 0 })
    expect(await rewardsOf("paused")).toEqual([])
    expect(await progressOf("paused")).toEqual([{ completed: [f(1)], completions: 0, basis: null }])
    expect(await progressOf("paused", "bob")).toEqual([])
    await patchIn(runtime, campaign, { status: "active" })
    await consume([done("paused", f(2))])
    expect((await rewardsOf("paused")).map((e) => e.rewardId)).toEqual([r(1)])
    await patchIn(runtime, campaign, { status: "ended" })
    await consume([done("paused", f(1)), done("paused", f(2))])
    expect(await rewardsOf("paused")).toHaveLength(1)
  })

  test("the window is judged on event time: a late purchase dated inside a closed window counts, one dated after it does not", async () => {
    await createIn(runtime, { tenant: "late", fulfillments: [f(1)], rewards: [r(1)], startsAt: "2026-03-01T00:00:00+01:00", endsAt: "2026-04-01T00:00:00+02:00" })
    // Everything arrives in June, long after the window closed.
    await consume([
      done("late", f(1), { occurredAt: "2026-03-31T21:59:59.999Z", userId: "inside" }),
      done("late", f(1), { occurredAt: "2026-03-31T22:00:00Z", userId: "after" }),
      done("late", f(1), { occurredAt: "2026-02-28T22:59:59Z", userId: "before" }),
      done("late", f(1), { userId: "untimed" })
    ], "2026-06-01T12:00:00Z")
    // Without an occurredAt, the record's own timestamp is the event time.
    await consume([done("late", f(1), { userId: "untimed-in-march" })], "2026-03-15T12:00:00Z")
    const emitted = await rewardsOf("late")
    expect(emitted.map((e) => [e.userId, e.occurredAt])).toEqual([["inside", "2026-03-31T21:59:59.999Z"], ["untimed-in-march", undefined]])
  })

  test("a status or window change made by another process is honoured by this one's next batch", async () => {
    const campaign = await createIn(runtime, { tenant: "remote", fulfillments: [f(1)], rewards: [r(1)] })
    await consume([done("remote", f(1))])
    expect(await rewardsOf("remote")).toHaveLength(1)
    await patchIn(other, campaign, { status: "paused" })
    await consume([done("remote", f(1))])
    expect(await rewardsOf("remote")).toHaveLength(1)
    await patchIn(other, campaign, { status: "active", endsAt: "2026-01-01T00:00:00Z" })
    await consume([done("remote", f(1), { occurredAt: "2026-02-01T00:00:00Z" }), done("remote", f(1), { occurredAt: "2025-12-31T23:00:00Z" })])
    expect((await rewardsOf("remote")).map((e) => e.occurredAt)).toEqual([undefined, "2025-12-31T23:00:00.000Z"])
    await patchIn(other, campaign, { limits: { perUser: 2 } })
    await consume([done("remote", f(1), { occurredAt: "2025-12-31T23:30:00Z" })])
    expect(await rewardsOf("remote")).toHaveLength(2)
  })

  test("reward events carry the round's basis, its orders, the completing event's time and each reward's points, by the mirrored rules", async () => {
    await publishDefinitions([
      definition("points", r(1), 1, { kind: "per_amount", pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: null }),
      definition("points", r(2), 1, { kind: "fixed", points: "5" })
    ])
    const campaign = await createIn(runtime, { tenant: "points", fulfillments: [f(1), f(2), f(3)], rewards: [r(1), r(2), r(3)] })
    await consume([
      done("points", f(1), { occurredAt: "2026-03-02T10:00:00Z", basis: "100.5", orderIds: ["o1"] }),
      done("points", f(2), { occurredAt: "2026-03-03T10:00:00Z" }),
      done("points", f(3), { occurredAt: "2026-03-01T10:00:00+01:00", basis: "29.49", orderIds: ["o2", "o3"] })
    ])
    const emitted = await rewardsOf("points")
    const round = { campaignId: campaign, basis: "129.99", orderIds: ["o1", "o2", "o3"], occurredAt: "2026-03-01T09:00:00.000Z" }
    expect(emitted).toMatchObject([{ ...round, rewardId: r(1), points: "12" }, { ...round, rewardId: r(2), points: "5" }, { ...round, rewardId: r(3) }])
    // The reward service counts a reward the campaign service cannot, as it did before.
    expect(emitted[2]!.points).toBeUndefined()
  })

  test("the mirror keeps the newest version of each reward, deleted ones marked, and the next batch counts by it", async () => {
    const fixed = (points: string) => ({ kind: "fixed", points })
    await publishDefinitions([definition("mirror", r(1), 2, fixed("7")), definition("mirror", r(1), 1, fixed("1"))])
    const campaign = await createIn(runtime, { tenant: "mirror", fulfillments: [f(1)], rewards: [r(1)] })
    await consume([done("mirror", f(1))])
    // An older version published late (a new event id, not a replay) changes nothing.
    await publishDefinitions([{ ...definition("mirror", r(1), 1, fixed("1")), eventId: "stale-copy" }])
    await consume([done("mirror", f(1))])
    await publishDefinitions([definition("mirror", r(1), 3, { kind: "fixed" }, true)])
    await consume([done("mirror", f(1))])
    expect((await rewardsOf("mirror")).map((e) => e.points)).toEqual(["7", "7", undefined])
    expect(await query(`select reward_id::text, version::int, deleted, points::text from campaign.reward_definitions where tenant = 'mirror'`))
      .toEqual([{ reward_id: r(1), version: 3, deleted: true, points: null }])
    expect((await rewardsOf("mirror")).every((e) => e.campaignId === campaign)).toBe(true)
  })

  test("perUser: the round after the limit waits, complete, and is not credited", async () => {
    await createIn(runtime, { tenant: "per-user", fulfillments: [f(1), f(2)], rewards: [r(1)], limits: { perUser: 1 } })
    await consume([done("per-user", f(1)), done("per-user", f(2)), done("per-user", f(1))])
    await consume([done("per-user", f(2)), done("per-user", f(2))])
    expect(await rewardsOf("per-user")).toHaveLength(1)
    expect(await progressOf("per-user")).toEqual([{ completed: [f(1), f(2)], completions: 1, basis: null }])
  })

  test("budgets over many users and batches are never exceeded and are used up", async () => {
    await publishDefinitions([definition("budget", r(1), 1, { kind: "per_amount", pointsPerUnit: "1", unit: "1", rounding: "exact", maxPoints: null })])
    const points = await createIn(runtime, { tenant: "budget", fulfillments: [f(1)], rewards: [r(1)], limits: { budgetPoints: 100 } })
    const completions = await createIn(runtime, { tenant: "budget", fulfillments: [f(2)], rewards: [r(1)], limits: { budgetCompletions: 3 } })
    const users = Array.from({ length: 12 }, (_, i) => `u${i}`)
    await consume(users.slice(0, 6).map((userId) => done("budget", f(1), { userId, basis: "30.25" })))
    await consume(users.slice(6).map((userId) => done("budget", f(1), { userId, basis: "9.25" })))
    await consume(users.map((userId) => done("budget", f(2), { userId, basis: "1" })))
    const emitted = await rewardsOf("budget")
    const fromPoints = emitted.filter((e) => e.campaignId === points).map((e) => e.points)
    // 3 × 30.25 = 90.75; a fourth would pass 100, but one of 9.25 fits: 100 exactly.
    expect(fromPoints).toEqual(["30.25", "30.25", "30.25", "9.25"])
    expect(emitted.filter((e) => e.campaignId === completions)).toHaveLength(3)
    expect(await query(`select campaign_id::text, completions, points::float8 as points from campaign.budget_usage order by completions desc`))
      .toEqual([{ campaign_id: points, completions: 4, points: 100 }, { campaign_id: completions, completions: 3, points: 3 }])
  })

  test("perUserPerPeriod: held back in one day, the user's next event of the next day (in the tenant's zone) completes the waiting round", async () => {
    await createIn(runtime, { tenant: "daily", fulfillments: [f(1)], rewards: [r(1)], limits: { perUserPerPeriod: { count: 1, period: "day" } } })
    await run(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql`update campaign.tenants set time_zone = 'Europe/Berlin' where id = 'daily'`)))
    await consume([done("daily", f(1), { occurredAt: "2026-03-10T08:00:00Z", basis: "3" }), done("daily", f(1), { occurredAt: "2026-03-10T22:30:00Z", basis: "4" })])
    expect((await rewardsOf("daily")).map((e) => e.basis)).toEqual(["3"])
    expect(await progressOf("daily")).toEqual([{ completed: [f(1)], completions: 1, basis: "4" }])
    // 23:30 in Berlin is still March 10; 00:30 is March 11, a new day.
    await consume([done("daily", f(1), { occurredAt: "2026-03-10T22:30:00Z" })])
    expect(await rewardsOf("daily")).toHaveLength(1)
    await consume([done("daily", f(1), { occurredAt: "2026-03-10T23:30:00Z", basis: "99" })])
    expect((await rewardsOf("daily")).map((e) => [e.basis, e.occurredAt])).toEqual([["3", "2026-03-10T08:00:00.000Z"], ["4", "2026-03-10T23:30:00.000Z"]])
    expect(await query(`select period, completions from campaign.period_completions where tenant = 'daily' order by period`))
      .toEqual([{ period: "day:2026-03-10", completions: 1 }, { period: "day:2026-03-11", completions: 1 }])
  })

  test("with a points budget, a round whose reward is not known yet waits; once the reward service publishes it, the next event completes it", async () => {
    await createIn(runtime, { tenant: "unknown", fulfillments: [f(1)], rewards: [r(1)], limits: { budgetPoints: 10 } })
    await consume([done("unknown", f(1))])
    expect(await rewardsOf("unknown")).toEqual([])
    expect(await progressOf("unknown")).toEqual([{ completed: [f(1)], completions: 0, basis: null }])
    await publishDefinitions([definition("unknown", r(1), 1, { kind: "fixed", points: "10" })])
    await consume([done("unknown", f(1)), done("unknown", f(1))])
    expect((await rewardsOf("unknown")).map((e) => e.points)).toEqual(["10"])
  })
})
