import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { buyHandler } from "../../../src/actors/fulfillment/actor.ts"
import { fulfillmentService } from "../../../src/actors/fulfillment/definition.ts"
import type { BuyFulfillmentInput } from "../../../src/actors/fulfillment/model.ts"
import { refundHandler } from "../../../src/actors/fulfillment/refunds/handler.ts"
import { RulesIndex } from "../../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../../src/actors/fulfillment/derive/rule-starts.ts"
import { FulfillmentUseCases } from "../../../src/actors/fulfillment/service.ts"
import { Database } from "../../../src/db/database.ts"
import { allTenants } from "../../../src/domain/tenant-scope.ts"
import { processBatch } from "../../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../../src/tenants/directory.ts"
import { emittedSql } from "../../support/emitted.ts"
import { useCasesRuntime } from "../../support/layers.ts"
import { rawMessages } from "../../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { registerTenantsIn } from "../../support/tenants.ts"

interface Message {
  readonly topic: string
  readonly value: Record<string, unknown>
}

const tenants = ["shop", "other", "goals", "early", "lines"]

describe("refunds through the fulfillment handlers", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | RulesIndex | RuleStarts | TenantDirectory>>
  const offsets = { buy: 0, refund: 0 }

  const sql = <A>(f: (sql: Database["Service"]["sql"]) => Promise<A>) =>
    runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(() => f(db.sql))))
  const emittedIds = async () => new Set((await sql((s) => s.unsafe(`select id from (${emittedSql("fulfillment")}) e`))).map((r) => String(r.id)))
  /** One batch through the handler, as the consumer runs it: what it emitted (events and dead letters). */
  const consume = async (topic: "buy" | "refund", values: ReadonlyArray<unknown>): Promise<Array<Message>> => {
    const before = await emittedIds()
    const firstOffset = offsets[topic]
    offsets[topic] += values.length
    const handler = topic === "buy" ? buyHandler : refundHandler
    await runtime.runPromise(processBatch("fulfillment", handler as typeof buyHandler, rawMessages(topic, values, { firstOffset })))
    const rows = await sql((s) => s.unsafe(`select id, topic, value from (${emittedSql("fulfillment")}) e order by id::numeric`))
    return rows.filter((r) => !before.has(String(r.id))).map((r) => ({ topic: String(r.topic), value: JSON.parse(String(r.value)) }))
  }
  const revoked = (messages: ReadonlyArray<Message>) => messages.filter((m) => m.topic === "fulfillment-revoked").map((m) => m.value)
  const fulfilled = (messages: ReadonlyArray<Message>) => messages.filter((m) => m.topic === "fulfillment").map((m) => m.value)
  const buyRule = (fields: Omit<BuyFulfillmentInput, "tenant" | "name"> & { tenant: string }) =>
    runtime.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), (u) => u.buy.create(allTenants, { name: "rule", ...fields } as BuyFulfillmentInput)))
  const purchase = (tenant: string, eventId: string, amount: number, extra: Record<string, unknown> = {}) =>
    ({ tenant, userId: "ada", product: "bread", amount, eventId, occurredAt: "2026-03-01T09:00:00Z", ...extra })
  const refundOf = (tenant: string, eventId: string, orderId: string, amount?: number, extra: Record<string, unknown> = {}) =>
    ({ tenant, userId: "ada", orderId, eventId, occurredAt: "2026-03-05T09:00:00Z", ...(amount !== undefined && { amount }), ...extra })

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases, RulesIndex.layer, RuleStarts.layer))
    await registerTenantsIn(runtime, tenants)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("partial refunds add up: the spend shrinks while the rule holds, then the fulfillment is revoked; more than bought is a dead letter", async () => {
    const rule = await buyRule({ tenant: "shop", product: "bread", amount: 100 })
    const [done] = fulfilled(await consume("buy", [purchase("shop", "b-1", 150, { orderId: "o-1" })]))
    expect(done).toMatchObject({ fulfillmentId: rule.fulfillment_id, basis: "150", orderIds: ["o-1"] })

    const first = revoked(await consume("refund", [refundOf("shop", "r-1", "o-1", 30)]))
    expect(first).toEqual([expect.objectContaining({
      fulfillmentId: rule.fulfillment_id, fulfillmentEventId: done!.eventId, causeEventId: "r-1", orderId: "o-1", holds: true, basis: "120", refundedBasis: "30",
      occurredAt: "2026-03-05T09:00:00.000Z"
    })])
    const second = revoked(await consume("refund", [refundOf("shop", "r-2", "o-1", 40.5)]))
    expect(second).toEqual([expect.objectContaining({ fulfillmentEventId: done!.eventId, causeEventId: "r-2", holds: false, basis: "0", refundedBasis: "120" })])
    // Once revoked, refunding the rest takes back nothing more.
    expect(revoked(await consume("refund", [refundOf("shop", "r-3", "o-1", 79.5)]))).toEqual([])

    const over = await consume("refund", [refundOf("shop", "r-4", "o-1", 0.01)])
    expect(over.map((m) => [m.topic, m.value.error])).toEqual([["refund.dlq", "refunds 0.01 of order o-1, but only 0 of the 150 bought is left to refund (150 refunded already)"]])
  })

  test("replaying refunds changes nothing", async () => {
    await buyRule({ tenant: "other", product: "", amount: 10 })
    await consume("buy", [purchase("other", "b-1", 50)])
    const values = [refundOf("other", "r-1", "b-1", 20), refundOf("other", "r-2", "b-1", 25)]
    const once = revoked(await consume("refund", values))
    expect(once.map((e) => [e.holds, e.basis])).toEqual([[true, "30"], [false, "0"]])
    offsets.refund -= values.length
    expect(await consume("refund", values)).toEqual([])
    const [order] = await sql((s) => s`select lines from fulfillment.orders where tenant = 'other' and order_id = 'b-1'`)
    expect(order!.lines[0]).toMatchObject({ amount: "50", refunded: "45" })
  })

  test("a purchase handled again past the processed-events retention is not kept twice in its order", async () => {
    await consume("buy", [purchase("lines", "l-1", 40, { orderId: "lo-1" }), purchase("lines", "l-2", 60, { orderId: "lo-1" })])
    await sql((s) => s`delete from fulfillment.processed_events where tenant = 'lines' and topic = 'buy'`)
    offsets.buy -= 2
    await consume("buy", [purchase("lines", "l-1", 40, { orderId: "lo-1" }), purchase("lines", "l-2", 60, { orderId: "lo-1" })])
    const [order] = await sql((s) => s`select lines from fulfillment.orders where tenant = 'lines' and order_id = 'lo-1'`)
    expect(order!.lines.map((l: { eventId: string }) => l.eventId)).toEqual(["l-1", "l-2"])
  })

  test("a refund of another tenant's order id touches nothing of it; a refund naming another user is a dead letter", async () => {
    const before = await sql((s) => s`select lines::text from fulfillment.orders where tenant = 'shop' and order_id = 'o-1'`)
    const messages = await consume("refund", [refundOf("other", "r-x", "o-1"), refundOf("shop", "r-y", "o-1", 1, { userId: "eve" })])
    expect(revoked(messages)).toEqual([])
    expect(messages.map((m) => [m.topic, m.value.error])).toEqual([["refund.dlq", "order o-1 was bought by another user of tenant shop, not by eve"]])
    expect(await sql((s) => s`select lines::text from fulfillment.orders where tenant = 'shop' and order_id = 'o-1'`)).toEqual(before)
    // In tenant `other` the order is unknown: the refund waits for a purchase there.
    const held = await sql((s) => s<Array<{ tenant: string; order_id: string; event_id: string }>>`select tenant, order_id, event_id from fulfillment.held_refunds where event_id = 'r-x'`)
    expect([...held]).toEqual([{ tenant: "other", order_id: "o-1", event_id: "r-x" }])
  })

  test("a refund before its purchase is held, then the purchase is judged on what is left of it", async () => {
    const rule = await buyRule({ tenant: "early", product: "bread", amount: 100 })
    expect(await consume("refund", [refundOf("early", "r-1", "o-9", 30), refundOf("early", "r-2", "o-10")])).toEqual([])
    expect((await sql((s) => s`select count(*)::int as n from fulfillment.held_refunds where tenant = 'early'`))[0]!.n).toBe(2)

    const messages = await consume("buy", [purchase("early", "b-9", 150, { orderId: "o-9" }), purchase("early", "b-10", 500, { orderId: "o-10" })])
    // o-9 is judged on 120 (still a bread purchase of 100 or more); o-10 was refunded in full and completes nothing.
    expect(fulfilled(messages)).toEqual([expect.objectContaining({ fulfillmentId: rule.fulfillment_id, basis: "120", orderIds: ["o-9"] })])
    expect((await sql((s) => s`select count(*)::int as n from fulfillment.held_refunds where tenant = 'early'`))[0]!.n).toBe(0)
    // The rest of o-9 can still be refunded, and takes the completion back.
    const later = revoked(await consume("refund", [refundOf("early", "r-3", "o-9", 25)]))
    expect(later).toEqual([expect.objectContaining({ holds: false, refundedBasis: "120" })])
  })

  test("a held refund of more than was bought goes to the dead-letter topic when the purchase comes", async () => {
    await consume("refund", [refundOf("early", "r-20", "o-20", 80)])
    const messages = await consume("buy", [purchase("early", "b-20", 50, { orderId: "o-20" })])
    expect(messages.map((m) => [m.topic, m.value.error ?? null])).toEqual([["refund.dlq", expect.stringContaining("refunds 80 of order o-20, but only 50")]])
    expect(JSON.parse(messages[0]!.value.value as string)).toMatchObject({ eventId: "r-20", orderId: "o-20" })
  })

  test("a cumulative goal revoked by a refund hands its other purchases back: the next purchase completes it again", async () => {
    const rule = await buyRule({ tenant: "goals", product: "", amount: 0, total: 500 })
    expect(fulfilled(await consume("buy", [purchase("goals", "g-1", 200), purchase("goals", "g-2", 200)]))).toEqual([])
    const [done] = fulfilled(await consume("buy", [purchase("goals", "g-3", 150)]))
    expect(done).toMatchObject({ fulfillmentId: rule.fulfillment_id, basis: "550" })

    const shrunk = revoked(await consume("refund", [refundOf("goals", "r-1", "g-3", 50)]))
    expect(shrunk).toEqual([expect.objectContaining({ holds: true, basis: "500", refundedBasis: "50" })])
    const gone = revoked(await consume("refund", [refundOf("goals", "r-2", "g-2")]))
    expect(gone).toEqual([expect.objectContaining({ fulfillmentEventId: done!.eventId, holds: false, basis: "0", refundedBasis: "500" })])

    const [again] = fulfilled(await consume("buy", [purchase("goals", "g-4", 200, { occurredAt: "2026-03-06T09:00:00Z" })]))
    expect(again).toMatchObject({ basis: "500", orderIds: ["g-1", "g-3", "g-4"] })
  })

  test("a purchase and its refund handled at the same time in two transactions never miss each other", async () => {
    await buyRule({ tenant: "lines", product: "cake", amount: 10 })
    for (let round = 0; round < 8; round++) {
      const orderId = `race-${round}`
      await Promise.all([
        runtime.runPromise(processBatch("fulfillment", buyHandler, rawMessages("buy", [purchase("lines", `rb-${round}`, 50, { orderId, product: "cake" })], { firstOffset: 1000 + round }))),
        runtime.runPromise(processBatch("fulfillment", refundHandler as never, rawMessages("refund", [refundOf("lines", `rr-${round}`, orderId, 20)], { firstOffset: 1000 + round })))
      ])
      const [order] = await sql((s) => s`select lines, held_refunds from fulfillment.orders where tenant = 'lines' and order_id = ${orderId}`)
      expect([order!.lines[0].refunded, order!.held_refunds]).toEqual(["20", 0])
    }
    expect((await sql((s) => s`select count(*)::int as n from fulfillment.held_refunds where tenant = 'lines'`))[0]!.n).toBe(0)
  })
})
