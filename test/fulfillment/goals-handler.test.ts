import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { activityHandler, buyHandler } from "../../src/actors/fulfillment/actor.ts"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import type { BuyFulfillmentInput, TagFulfillmentInput } from "../../src/actors/fulfillment/model.ts"
import { RulesIndex } from "../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../src/actors/fulfillment/derive/rule-starts.ts"
import { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { Database } from "../../src/db/database.ts"
import type { BuyEvent } from "../../src/events/buy.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { emittedSql } from "../support/emitted.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { consumedOf, rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"

interface Emitted {
  readonly fulfillmentId: string
  readonly userId: string
  readonly causeEventId: string
  readonly occurredAt: string
  readonly basis?: string
  readonly orderIds?: ReadonlyArray<string>
}

const tenants = ["bakery", "berlin", "reviews", "exact", "ageing", "plain"]

describe("cumulative goals through the fulfillment handlers", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | RulesIndex | RuleStarts | TenantDirectory>>
  const offsets = { buy: 0, activity: 0 }

  const sql = <A>(f: (sql: Database["Service"]["sql"]) => Promise<A>) =>
    runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(() => f(db.sql))))
  const outboxIds = async () => new Set((await sql((s) => s.unsafe(`select id from (${emittedSql("fulfillment")}) e`))).map((r) => String(r.id)))
  /** One batch through the handler, as the consumer would run it; the fulfillment events it emitted. */
  const consume = async (topic: "buy" | "activity", values: ReadonlyArray<unknown>): Promise<Array<Emitted>> => {
    const before = await outboxIds()
    const firstOffset = offsets[topic]
    offsets[topic] += values.length
    const handler = topic === "buy" ? buyHandler : activityHandler
    await runtime.runPromise(processBatch("fulfillment", handler as typeof buyHandler, rawMessages(topic, values, { firstOffset })))
    const rows = await sql((s) => s.unsafe(`select id, topic, value from (${emittedSql("fulfillment")}) e order by id::numeric`))
    return rows.filter((r) => !before.has(String(r.id)) && r.topic === "fulfillment").map((r) => JSON.parse(String(r.value)) as Emitted)
  }
  const buyRule = (fields: Omit<BuyFulfillmentInput, "tenant" | "name"> & { tenant: string }) =>
    runtime.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), (u) =>
      u.buy.create(allTenants, { name: "goal", ...fields } as BuyFulfillmentInput)))
  const tagRule = (fields: Omit<TagFulfillmentInput, "tenant" | "name"> & { tenant: string }) =>
    runtime.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), (u) =>
      u.tag.create(allTenants, { name: "goal", ...fields } as TagFulfillmentInput)))
  const purchase = (tenant: string, userId: string, eventId: string, occurredAt: string, amount: number, product = "bread") =>
    ({ tenant, userId, eventId, occurredAt, amount, product })

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases, RulesIndex.layer, RuleStarts.layer))
    await registerTenantsIn(runtime, tenants)
    await sql((s) => s`update fulfillment.tenants set time_zone = 'Europe/Berlin' where id = 'berlin'`)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("buy bread 3 times within 7 days: out-of-order purchases complete it on the third, judged by their own times", async () => {
    const rule = await buyRule({ tenant: "bakery", product: "bread", amount: 1, count: 3, within: "P7D" })
    const first = await consume("buy", [
      purchase("bakery", "ada", "b-6", "2026-03-07T09:00:00Z", 2),
      { ...purchase("bakery", "ada", "b-1", "2026-03-01T09:00:00Z", 3), orderId: "order-1" },
      purchase("bakery", "ada", "cake", "2026-03-02T09:00:00Z", 50, "cake"),
      purchase("bakery", "ada", "small", "2026-03-02T09:00:00Z", 0.5)
    ])
    expect(first).toEqual([])
    const [done, ...more] = await consume("buy", [purchase("bakery", "ada", "b-3", "2026-03-03T09:00:00Z", 4)])
    expect(more).toEqual([])
    expect(done).toMatchObject({
      fulfillmentId: rule.fulfillment_id,
      userId: "ada",
      causeEventId: "b-3",
      occurredAt: "2026-03-03T09:00:00.000Z",
      basis: "9",
      orderIds: ["order-1", "b-3", "b-6"]
    })
    // Another user's purchases count for them alone.
    expect(await consume("buy", [purchase("bakery", "bob", "bob-1", "2026-03-03T09:00:00Z", 4)])).toEqual([])
  })

  test("the goal resets after completing: the next three purchases complete it again, and only they", async () => {
    const rule = await buyRule({ tenant: "bakery", product: "rye", amount: 0, count: 2 })
    const events = ["r1", "r2", "r3", "r4", "r5"].map((id, i) => purchase("bakery", "cy", id, `2026-04-0${i + 1}T08:00:00Z`, 1, "rye"))
    const emitted = await consume("buy", events)
    expect(emitted.map((e) => [e.fulfillmentId, e.causeEventId, e.orderIds])).toEqual([
      [rule.fulfillment_id, "r2", ["r1", "r2"]],
      [rule.fulfillment_id, "r4", ["r3", "r4"]]
    ])
    // The fifth waits for a sixth, in a later batch: progress is kept between batches.
    expect((await consume("buy", [purchase("bakery", "cy", "r6", "2026-04-09T08:00:00Z", 1, "rye")])).map((e) => e.orderIds)).toEqual([["r5", "r6"]])
  })

  test("spend 500 this month in Europe/Berlin: a purchase at 00:30 on 1 February local time is February's, not January's", async () => {
    const rule = await buyRule({ tenant: "berlin", product: "", amount: 0, total: 500, period: "month" })
    expect(await consume("buy", [
      purchase("berlin", "dora", "jan", "2026-01-31T22:30:00Z", 300, "coat"),
      purchase("berlin", "dora", "feb-1", "2026-01-31T23:30:00Z", 250, "hat")
    ])).toEqual([])
    const done = await consume("buy", [purchase("berlin", "dora", "feb-2", "2026-02-27T12:00:00+01:00", 250, "gloves")])
    expect(done.map((e) => [e.fulfillmentId, e.basis, e.orderIds])).toEqual([[rule.fulfillment_id, "500", ["feb-1", "feb-2"]]])
    // January is over for this user once February counted: a late January purchase does not count.
    expect(await consume("buy", [purchase("berlin", "dora", "jan-late", "2026-01-20T12:00:00Z", 900, "coat")])).toEqual([])
  })

  test("write 2 reviews: every second review completes the tag fulfillment, without basis or orders", async () => {
    const rule = await tagRule({ tenant: "reviews", tag: "review", count: 2 })
    const review = (eventId: string, occurredAt: string) => ({ tenant: "reviews", userId: "eve", tag: "review", eventId, occurredAt })
    const emitted = await consume("activity", [
      review("rv-1", "2026-05-01T10:00:00Z"),
      { tenant: "reviews", userId: "eve", tag: "signup", eventId: "su-1" },
      review("rv-2", "2026-05-03T10:00:00Z"),
      review("rv-3", "2026-05-04T10:00:00Z")
    ])
    expect(emitted).toEqual([{
      tenant: "reviews",
      fulfillmentId: rule.fulfillment_id,
      userId: "eve",
      eventId: expect.any(String),
      causeEventId: "rv-2",
      occurredAt: "2026-05-03T10:00:00.000Z"
    } as never])
  })

  test("exact decimals: purchases of 0.1 and 0.2 reach a total of 0.3, and 0.7 and 0.1 reach 0.8", async () => {
    const three = await buyRule({ tenant: "exact", product: "tea", amount: 0, total: 0.3 })
    const eight = await buyRule({ tenant: "exact", product: "mate", amount: 0, total: 0.8 })
    const emitted = await consume("buy", [
      purchase("exact", "fay", "t1", "2026-06-01T10:00:00Z", 0.1, "tea"),
      purchase("exact", "fay", "t2", "2026-06-01T11:00:00Z", 0.2, "tea"),
      purchase("exact", "fay", "m1", "2026-06-01T10:00:00Z", 0.7, "mate"),
      purchase("exact", "fay", "m2", "2026-06-01T11:00:00Z", 0.1, "mate")
    ])
    expect(emitted.map((e) => [e.fulfillmentId, e.basis])).toEqual([[three.fulfillment_id, "0.3"], [eight.fulfillment_id, "0.8"]])
  })

  test("a purchase of exactly the amount matches, one ten-thousandth less does not", async () => {
    const rule = await buyRule({ tenant: "exact", product: "jam", amount: 0.3 })
    const emitted = await consume("buy", [
      purchase("exact", "gus", "j1", "2026-06-01T10:00:00Z", 0.2999, "jam"),
      purchase("exact", "gus", "j2", "2026-06-01T10:00:00Z", 0.3, "jam")
    ])
    expect(emitted.map((e) => [e.fulfillmentId, e.causeEventId, e.basis, e.orderIds])).toEqual([[rule.fulfillment_id, "j2", "0.3", ["j2"]]])
  })

  test("purchases age out: older than the window before the latest purchase, they no longer count, even arriving late", async () => {
    const rule = await buyRule({ tenant: "ageing", product: "bread", amount: 0, count: 2, within: "P2D" })
    expect(await consume("buy", [purchase("ageing", "hal", "a1", "2026-07-01T10:00:00Z", 1)])).toEqual([])
    expect(await consume("buy", [purchase("ageing", "hal", "a2", "2026-07-05T10:00:00Z", 1)])).toEqual([])
    // Inside two days of a1, but a2 was counted: a1 and this one cannot complete anything any more.
    expect(await consume("buy", [purchase("ageing", "hal", "a0", "2026-07-02T09:00:00Z", 1)])).toEqual([])
    const [done] = await consume("buy", [purchase("ageing", "hal", "a3", "2026-07-06T10:00:00Z", 1)])
    expect([done?.fulfillmentId, done?.orderIds]).toEqual([rule.fulfillment_id, ["a2", "a3"]])
    const [row] = await sql((s) => s`select contributions::text as c from fulfillment.goal_progress where tenant = 'ageing' and user_id = 'hal'`)
    expect(JSON.parse(String(row!.c))).toEqual([])
  })

  test("a changed goal starts everyone over; a deleted fulfillment takes its progress with it", async () => {
    const rule = await buyRule({ tenant: "plain", product: "milk", amount: 0, count: 3 })
    await consume("buy", [purchase("plain", "ivy", "p1", "2026-08-01T10:00:00Z", 1, "milk"), purchase("plain", "ivy", "p2", "2026-08-01T11:00:00Z", 1, "milk")])
    await runtime.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), (u) =>
      u.buy.update(allTenants, rule.fulfillment_id, { product: "milk", amount: 0, count: 2 })))
    expect(await consume("buy", [purchase("plain", "ivy", "p3", "2026-08-01T12:00:00Z", 1, "milk")])).toEqual([])
    expect((await consume("buy", [purchase("plain", "ivy", "p4", "2026-08-01T13:00:00Z", 1, "milk")])).map((e) => e.orderIds)).toEqual([["p3", "p4"]])
    await runtime.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), (u) => u.buy.delete(allTenants, rule.fulfillment_id)))
    const rows = await sql((s) => s`select count(*)::int as n from fulfillment.goal_progress where tenant = 'plain'`)
    expect(rows[0]!.n).toBe(0)
  })

  test("a batch reads the progress it needs with one statement and writes it with one, however many users it holds", async () => {
    await buyRule({ tenant: "plain", product: "egg", amount: 0, count: 10 })
    const batch = (round: number) => Array.from({ length: 60 }, (_, i) =>
      consumedOf(purchase("plain", `u${i % 30}`, `egg-${round}-${i}`, "2026-08-02T10:00:00Z", 1, "egg") as never as BuyEvent, `egg-${round}-${i}`, i))
    const statements = async (round: number) => {
      const sent: Array<unknown> = []
      await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => db.transaction((tx) => {
        const counting = new Proxy(tx, { apply: (target, self, args: Array<unknown>) => (sent.push(args), Reflect.apply(target, self, args)) })
        return buyHandler.handle(counting, batch(round))
      })))
      return sent.length
    }
    await statements(1)
    // Warm rules: the orders kept for refunds, the versions, one read of the progress, one write.
    expect(await statements(2)).toBe(4)
    const rows = await sql((s) => s`select count(*)::int as n from fulfillment.goal_progress where tenant = 'plain'`)
    expect(rows[0]!.n).toBe(30)
  })
})
