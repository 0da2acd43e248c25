import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { activityHandler, buyHandler } from "../../src/actors/fulfillment/actor.ts"
import { RulesIndex } from "../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../src/actors/fulfillment/derive/rule-starts.ts"
import { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { Database } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { derivedEventId } from "../../src/events/event-id.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { emittedSql } from "../support/emitted.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { tenant } from "../support/values.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"

const user = "0e41cc11-5e54-448b-a6ce-9c9a855ad202"
const bread100 = "7bed8bf6-995b-450d-8417-1c368709e1e3"
const readmePurchase = `{"tenant":"meiwei","product":"bread","amount":101,"userId":"${user}"}`

interface OutboxRow {
  readonly id: string
  readonly topic: string
  readonly key: string
  readonly value: string
}

describe("turning buy and activity events into fulfillment events", () => {
  let database: TestDatabase
  // The actor's process, with its in-memory rules, and another process of the service changing the rules.
  let actor: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | RulesIndex | RuleStarts | TenantDirectory>>
  let other: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | TenantDirectory>>
  let nextOffset = 0

  const rules = <A, E>(f: (u: FulfillmentUseCases["Service"]) => Effect.Effect<A, E>) =>
    other.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), f))
  const outbox = () =>
    actor.runPromise(Effect.flatMap(Effect.service(Database), (db) =>
      db.run((sql) => sql.unsafe(`select id, topic, key, value from (${emittedSql("fulfillment")}) e order by id::numeric`) as unknown as Promise<Array<OutboxRow>>)))
  const consume = (topic: "buy" | "activity", values: ReadonlyArray<unknown>, firstOffset = nextOffset) => {
    nextOffset = Math.max(nextOffset, firstOffset + values.length)
    const handler = topic === "buy" ? buyHandler : activityHandler
    return actor.runPromise(processBatch("fulfillment", handler as typeof buyHandler, rawMessages(topic, values, { firstOffset })))
  }
  /** What one batch added to the outbox. */
  const emitted = async (topic: "buy" | "activity", values: ReadonlyArray<unknown>, firstOffset?: number) => {
    const before = new Set((await outbox()).map((row) => row.id))
    const outcome = await consume(topic, values, firstOffset)
    const rows = (await outbox()).filter((row) => !before.has(row.id))
    return { outcome, rows, events: rows.filter((row) => row.topic === "fulfillment").map((row) => JSON.parse(row.value)) }
  }
  const purchase = (fields: { tenant?: string; product?: string; amount: number; userId?: string; eventId?: string }) =>
    ({ tenant: "meiwei", product: "bread", userId: user, ...fields })

  beforeAll(async () => {
    database = await createTestDatabase()
    actor = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases, RulesIndex.layer, RuleStarts.layer))
    await registerTenantsIn(actor, ["deleting", "elsewhere", "meiwei", "other", "several"])
    other = useCasesRuntime(database.url, fulfillmentService.useCases)
    await rules((u) => u.buy.create(allTenants, { tenant: tenant("meiwei"), fulfillment_id: bread100, name: "bread", product: "bread", amount: 100 }))
  })
  afterAll(async () => {
    await actor.dispose()
    await other.dispose()
    await database.drop()
  })

  test("the README purchase of bread for 101 emits one fulfillment event, keyed by tenant and user", async () => {
    const { outcome, rows, events } = await emitted("buy", [readmePurchase], 0)
    expect(outcome).toMatchObject({ applied: 1, duplicates: 0, deadLettered: 0 })
    expect(rows).toHaveLength(1)
    expect(rows[0]!.key).toBe(`meiwei:${user}`)
    expect(events).toEqual([{
      tenant: "meiwei",
      fulfillmentId: bread100,
      userId: user,
      eventId: derivedEventId("fulfillment", "loyaltea:buy/0/0", bread100),
      causeEventId: "loyaltea:buy/0/0",
      // The purchase's event time (here its record's timestamp), its amount, and its id as its order.
      occurredAt: "2026-06-01T12:00:00.000Z",
      basis: "101",
      orderIds: ["loyaltea:buy/0/0"]
    }])
  })

  test("bread for 99 emits nothing; nor does bread for 101 in another tenant", async () => {
    const { outcome, rows } = await emitted("buy", [purchase({ amount: 99 }), purchase({ amount: 101, tenant: "elsewhere" })])
    expect(outcome.applied).toBe(2)
    expect(rows).toEqual([])
  })

  test("replaying a batch is a no-op: nothing is emitted again", async () => {
    const { outcome, rows } = await emitted("buy", [readmePurchase], 0)
    expect(outcome).toMatchObject({ applied: 0, duplicates: 1, deadLettered: 0 })
    expect(rows).toEqual([])
    const withId = purchase({ amount: 500, eventId: "order-17" })
    expect((await emitted("buy", [withId])).events).toHaveLength(1)
    // Redelivered at another offset, the event's own id still identifies it.
    expect((await emitted("buy", [withId])).rows).toEqual([])
  })

  test("a rule added in another process is honoured by the very next batch", async () => {
    expect((await emitted("buy", [purchase({ product: "cake", amount: 60 })])).events).toEqual([])
    const cake = await rules((u) => u.buy.create(allTenants, { tenant: tenant("meiwei"), name: "cake", product: "cake", amount: 50 }))
    const { events } = await emitted("buy", [purchase({ product: "cake", amount: 60 })])
    expect(events.map((e) => e.fulfillmentId)).toEqual([cake.fulfillment_id])
  })

  test("a rule changed in another process is honoured by the very next batch", async () => {
    const tea = await rules((u) => u.buy.create(allTenants, { tenant: tenant("meiwei"), name: "tea", product: "tea", amount: 10 }))
    expect((await emitted("buy", [purchase({ product: "tea", amount: 20 })])).events).toHaveLength(1)
    await rules((u) => u.buy.update(allTenants, tea.fulfillment_id, { product: "tea", amount: 30 }))
    expect((await emitted("buy", [purchase({ product: "tea", amount: 20 })])).events).toEqual([])
    await rules((u) => u.buy.update(allTenants, tea.fulfillment_id, { product: "", amount: 5 }))
    const { events } = await emitted("buy", [purchase({ product: "anything", amount: 5 })])
    expect(events.map((e) => e.fulfillmentId)).toEqual([tea.fulfillment_id])
  })

  test("a rule deleted in another process is no longer matched by the very next batch", async () => {
    const milk = await rules((u) => u.buy.create(allTenants, { tenant: tenant("deleting"), name: "milk", product: "milk", amount: 1 }))
    expect((await emitted("buy", [purchase({ tenant: "deleting", product: "milk", amount: 1 })])).events).toHaveLength(1)
    await rules((u) => u.buy.delete(allTenants, milk.fulfillment_id))
    expect((await emitted("buy", [purchase({ tenant: "deleting", product: "milk", amount: 1 })])).events).toEqual([])
  })

  test("an activity completes every tag fulfillment of its tenant with its tag", async () => {
    const [a, b] = await rules((u) => Effect.all([
      u.tag.create(allTenants, { tenant: tenant("meiwei"), name: "joined", tag: "signup" }),
      u.tag.create(allTenants, { tenant: tenant("meiwei"), name: "joined too", tag: "signup" }),
      u.tag.create(allTenants, { tenant: tenant("other"), name: "theirs", tag: "signup" })
    ]))
    const { events, rows } = await emitted("activity", [{ tenant: "meiwei", userId: "ada", tag: "signup", eventId: "act-1" }, { tenant: "meiwei", userId: "bob", tag: "review" }])
    expect(events.map((e) => e.fulfillmentId).sort()).toEqual([a!.fulfillment_id, b!.fulfillment_id].sort())
    expect(events.every((e) => e.userId === "ada" && e.causeEventId === "act-1")).toBe(true)
    expect(rows.every((row) => row.key === "meiwei:ada")).toBe(true)
  })

  test("one purchase completing several fulfillments gets one event each, with ids derived from cause and fulfillment", async () => {
    const any = await rules((u) => u.buy.create(allTenants, { tenant: tenant("several"), name: "any", product: "", amount: 0 }))
    const jam = await rules((u) => u.buy.create(allTenants, { tenant: tenant("several"), name: "jam", product: "jam", amount: 2 }))
    const { events } = await emitted("buy", [purchase({ tenant: "several", product: "jam", amount: 2, eventId: "p-1" })])
    const byFulfillment = new Map(events.map((e) => [e.fulfillmentId, e.eventId]))
    expect(byFulfillment).toEqual(new Map([
      [any.fulfillment_id, derivedEventId("fulfillment", "p-1", any.fulfillment_id)],
      [jam.fulfillment_id, derivedEventId("fulfillment", "p-1", jam.fulfillment_id)]
    ]))
    expect(byFulfillment.get(any.fulfillment_id)).not.toBe(byFulfillment.get(jam.fulfillment_id))
  })

  test("invalid events are dead-lettered with their reason; valid ones in the same batch still match", async () => {
    const { outcome, rows, events } = await emitted("buy", [
      "{oops",
      { tenant: "meiwei", product: "bread", userId: user },
      purchase({ amount: -1 }),
      purchase({ amount: 101 })
    ])
    expect(outcome).toMatchObject({ applied: 1, duplicates: 0, deadLettered: 3 })
    expect(events.map((e) => e.fulfillmentId)).toContain(bread100)
    const letters = rows.filter((row) => row.topic === "buy.dlq").map((row) => JSON.parse(row.value))
    expect(letters.map((l) => l.error)).toEqual([expect.stringContaining("malformed JSON"), expect.stringContaining("amount"), expect.stringContaining("amount")])
    const activity = await emitted("activity", [{ tenant: "meiwei", userId: "ada", tag: "no spaces allowed" }])
    expect(activity.rows.map((row) => [row.topic, JSON.parse(row.value).error])).toEqual([["activity.dlq", expect.stringContaining("tag")]])
  })

  test("purchases by user ids with lone surrogates are dead-lettered naming userId, and match nothing", async () => {
    const { outcome, rows, events } = await emitted("buy", [purchase({ amount: 101, userId: "sur\ud800" }), purchase({ amount: 101, userId: "sur\udbff" })])
    expect(outcome).toMatchObject({ applied: 0, deadLettered: 2 })
    expect(events).toEqual([])
    expect(rows.map((row) => JSON.parse(row.value).error)).toEqual(Array(2).fill("invalid event: userId: must be well-formed Unicode (no lone surrogates)"))
  })
})
