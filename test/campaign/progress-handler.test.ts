import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer, Schema } from "effect"
import { progressHandler } from "../../src/actors/campaign/actor.ts"
import { CampaignIndex } from "../../src/actors/campaign/campaign-index.ts"
import { CampaignUseCases } from "../../src/actors/campaign/service.ts"
import { Database, type Sql } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { derivedEventId } from "../../src/events/event-id.ts"
import { FulfillmentEvent } from "../../src/events/fulfillment.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { emittedSql } from "../support/emitted.ts"
import { consumedOf, rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { tenant } from "../support/values.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { campaignService } from "../../src/actors/campaign/definition.ts"

const f = (n: number) => `f0000000-0000-4000-8000-${String(n).padStart(12, "0")}`
const r = (n: number) => `e0000000-0000-4000-9000-${String(n).padStart(12, "0")}`

interface Emitted {
  tenant: string
  rewardId: string
  userId: string
  eventId: string
  campaignId: string
  causeEventId: string
}

describe("the campaign actor's fulfillment handler", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<CampaignUseCases | CampaignIndex | TenantDirectory>>
  // Another process of the service: its own pool and use cases, no share in this one's memory.
  let other: ReturnType<typeof useCasesRuntime<CampaignUseCases | TenantDirectory>>
  let offset = 0
  const run = <A, E>(effect: Effect.Effect<A, E, CampaignUseCases | CampaignIndex | Database | TenantDirectory>) => runtime.runPromise(effect)
  const query = <T>(text: string) => run(Effect.flatMap(Effect.service(Database), (db) => db.run((sql) => sql.unsafe(text) as unknown as Promise<T>)))
  const consume = (values: ReadonlyArray<unknown>) => {
    const messages = rawMessages("fulfillment", values, { firstOffset: offset })
    offset += values.length
    return run(processBatch("campaign", progressHandler, messages))
  }
  const done = (eventId: string, tenantName: string, fulfillmentId: string, userId = "ada") =>
    ({ tenant: tenantName, fulfillmentId, userId, eventId, causeEventId: `buy-${eventId}` })
  const createIn = (rt: typeof runtime | typeof other, tenantName: string, fulfillments: Array<string>, rewards: Array<string>) =>
    rt.runPromise(Effect.flatMap(Effect.service(CampaignUseCases), (u) =>
      u.createCampaign(allTenants, { tenant: tenant(tenantName), name: "c", fulfillments, rewards }))).then((c) => c.id)
  const create = (tenantName: string, fulfillments: Array<string>, rewards: Array<string>) => createIn(runtime, tenantName, fulfillments, rewards)
  const rewardsOf = async (tenantName: string) =>
    (await query<Array<{ topic: string; key: string; value: string }>>(`select topic, key, value from (${emittedSql("campaign")}) e where topic = 'reward' order by id::numeric`))
      .map((row) => ({ key: row.key, event: JSON.parse(row.value) as Emitted }))
      .filter((row) => row.event.tenant === tenantName)
  const progressOf = (tenantName: string) =>
    query<Array<{ user_id: string; campaign_id: string; completed: Array<string>; completions: number }>>(
      `select user_id, campaign_id::text, completed::text[], completions from campaign.progress where tenant = '${tenantName}' order by user_id, campaign_id`)

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.merge(campaignService.useCases, CampaignIndex.layer))
    await registerTenantsIn(runtime, ["dlq", "two", "meiwei", "other", "bulk", "bulk-too", "elsewhere", "shared", "several", "round", "replay", "mine", "theirs", "remote", "cased"])
    other = useCasesRuntime(database.url, campaignService.useCases)
    await run(Effect.void)
  })
  afterAll(async () => {
    await other.dispose()
    await runtime.dispose()
    await database.drop()
  })

  test("a campaign of two fulfillments emits its rewards only after both, across batches, keyed by tenant:user", async () => {
    const campaign = await create("two", [f(1), f(2)], [r(1), r(2)])
    expect(await consume([done("two-1", "two", f(1))])).toMatchObject({ applied: 1, duplicates: 0, deadLettered: 0 })
    expect(await rewardsOf("two")).toEqual([])
    expect(await progressOf("two")).toEqual([{ user_id: "ada", campaign_id: campaign, completed: [f(1)], completions: 0 }])
    await consume([done("two-2", "two", f(2))])
    const emitted = await rewardsOf("two")
    expect(emitted).toEqual([r(1), r(2)].map((rewardId) => ({
      key: "two:ada",
      event: { tenant: "two", rewardId, userId: "ada", campaignId: campaign, causeEventId: "two-2", eventId: derivedEventId("reward", "two-2", campaign, rewardId) }
    })))
    expect(await progressOf("two")).toEqual([{ user_id: "ada", campaign_id: campaign, completed: [], completions: 1 }])
  })

  test("completion within a single batch; a second round emits again with new event ids; events of other users do not mix", async () => {
    const campaign = await create("round", [f(1), f(2)], [r(1)])
    await consume([done("a1", "round", f(2)), done("b1", "round", f(1), "bob"), done("a2", "round", f(2)), done("a3", "round", f(1))])
    expect((await rewardsOf("round")).map((row) => row.event.causeEventId)).toEqual(["a3"])
    await consume([done("a4", "round", f(1)), done("a5", "round", f(2))])
    const emitted = await rewardsOf("round")
    expect(emitted.map((row) => row.event.causeEventId)).toEqual(["a3", "a5"])
    expect(new Set(emitted.map((row) => row.event.eventId)).size).toBe(2)
    expect(await progressOf("round")).toEqual([
      { user_id: "ada", campaign_id: campaign, completed: [], completions: 2 },
      { user_id: "bob", campaign_id: campaign, completed: [f(1)], completions: 0 }
    ])
  })

  test("a fulfillment shared by two campaigns advances both; completing both in one batch emits each one's rewards", async () => {
    const small = await create("shared", [f(1)], [r(1)])
    const large = await create("shared", [f(1), f(2)], [r(2), r(3)])
    await consume([done("s1", "shared", f(1))])
    expect((await rewardsOf("shared")).map((row) => [row.event.campaignId, row.event.rewardId])).toEqual([[small, r(1)]])
    expect((await progressOf("shared")).find((row) => row.campaign_id === large)).toMatchObject({ completed: [f(1)] })
    await consume([done("s2", "shared", f(2)), done("s3", "shared", f(1)), done("s4", "shared", f(2))])
    expect((await rewardsOf("shared")).map((row) => [row.event.causeEventId, row.event.campaignId, row.event.rewardId])).toEqual([
      ["s1", small, r(1)], ["s2", large, r(2)], ["s2", large, r(3)], ["s3", small, r(1)], ["s4", large, r(2)], ["s4", large, r(3)]
    ])
  })

  test("a replay of the same fulfillment events changes nothing and emits nothing", async () => {
    await create("replay", [f(1), f(2)], [r(1)])
    const batch = [done("p1", "replay", f(1)), done("p2", "replay", f(2))]
    await consume(batch)
    const progress = await progressOf("replay")
    expect(await rewardsOf("replay")).toHaveLength(1)
    expect(await consume([...batch, batch[0]])).toMatchObject({ applied: 0, duplicates: 3, deadLettered: 0 })
    expect(await rewardsOf("replay")).toHaveLength(1)
    expect(await progressOf("replay")).toEqual(progress)
  })

  test("a fulfillment in no campaign, or of another tenant's campaign, is applied and changes nothing", async () => {
    await create("mine", [f(7)], [r(1)])
    expect(await consume([done("n1", "theirs", f(7)), done("n2", "mine", f(8))])).toMatchObject({ applied: 2, duplicates: 0, deadLettered: 0 })
    expect(await rewardsOf("theirs")).toEqual([])
    expect(await progressOf("mine")).toEqual([])
  })

  test("a campaign changed by another process is honoured by the next batch", async () => {
    const campaign = await createIn(other, "remote", [f(1), f(2)], [r(1)])
    await consume([done("m1", "remote", f(1))])
    expect(await rewardsOf("remote")).toEqual([])
    // Another process drops f(2) and adds a reward: f(1) alone now completes the campaign.
    await other.runPromise(Effect.flatMap(Effect.service(CampaignUseCases), (u) =>
      u.updateCampaign(allTenants, campaign, { name: "c", fulfillments: [f(3), f(1)], rewards: [r(1), r(2)] })))
    await consume([done("m2", "remote", f(3))])
    expect((await rewardsOf("remote")).map((row) => row.event.rewardId)).toEqual([r(1), r(2)])
    // A campaign another process creates, then deletes, starts and stops counting at once.
    const added = await createIn(other, "remote", [f(4)], [r(4)])
    await consume([done("m3", "remote", f(4))])
    expect((await rewardsOf("remote")).map((row) => row.event.campaignId)).toEqual([campaign, campaign, added])
    await other.runPromise(Effect.flatMap(Effect.service(CampaignUseCases), (u) => u.deleteCampaign(allTenants, added)))
    await consume([done("m4", "remote", f(4))])
    expect(await rewardsOf("remote")).toHaveLength(3)
    expect((await progressOf("remote")).map((row) => row.campaign_id)).toEqual([campaign])
  })

  test("fulfillment ids are matched without regard to case", async () => {
    await create("cased", [f(1)], [r(1)])
    await consume([done("c1", "cased", f(1).toUpperCase())])
    expect(await rewardsOf("cased")).toHaveLength(1)
  })

  test("undecodable and invalid events are dead-lettered with their reason; valid ones behind them still count", async () => {
    await create("dlq", [f(1)], [r(1)])
    const first = offset
    const outcome = await consume(["{oops", { tenant: "dlq", fulfillmentId: "not-a-uuid", userId: "ada", eventId: "d1", causeEventId: "x" },
      { tenant: "dlq", fulfillmentId: f(1), userId: "ada" }, done("d2", "dlq", f(1))])
    expect(outcome).toMatchObject({ applied: 1, duplicates: 0, deadLettered: 3 })
    const letters = (await query<Array<{ value: string }>>(`select value from (${emittedSql("campaign")}) e where topic = 'fulfillment.dlq' order by id::numeric`))
      .map((row) => JSON.parse(row.value) as { error: string; offset: string; value: string })
      .filter((letter) => Number(letter.offset) >= first)
    expect(letters.map((letter) => letter.offset)).toEqual([first, first + 1, first + 2].map(String))
    expect(letters[0]!.error).toStartWith("malformed JSON")
    expect(letters[0]!.value).toBe("{oops")
    expect(letters[1]!.error).toContain("fulfillmentId")
    expect(letters[2]!.error).toContain("eventId")
    expect((await rewardsOf("dlq")).map((row) => row.event.causeEventId)).toEqual(["d2"])
  })

  test("a batch costs six statements however many events, users and campaigns it holds: no lookup per event", async () => {
    const one = await create("bulk", [f(1), f(2)], [r(1)])
    await create("bulk", [f(2), f(3)], [r(2)])
    await create("bulk-too", [f(1)], [r(3)])
    const decode = Schema.decodeUnknownSync(FulfillmentEvent)
    const consumed = Array.from({ length: 60 }, (_, n) => {
      const event = decode(done(`bulk-${n}`, n % 3 === 0 ? "bulk-too" : "bulk", f(1 + (n % 3)), `user-${n % 7}`))
      return consumedOf(event, event.eventId, n)
    })
    let statements = 0
    const counting = (tx: Sql) => new Proxy(tx, { apply: (target, self, args) => (statements++, Reflect.apply(target, self, args)) })
    const emitted = await run(Effect.flatMap(Effect.service(Database), (db) => db.transaction((tx) => progressHandler.handle(counting(tx), consumed))))
    // The users' lock, the rules, the progress read and written, the completed rounds recorded, the held revocations.
    expect(statements).toBe(6)
    expect(emitted.filter((m) => m.topic === "reward").length).toBeGreaterThan(0)
    expect((await progressOf("bulk")).filter((row) => row.campaign_id === one).length).toBe(7)
  })
})
