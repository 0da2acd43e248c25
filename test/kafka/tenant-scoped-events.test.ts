import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { buyHandler } from "../../src/actors/fulfillment/actor.ts"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { RulesIndex } from "../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../src/actors/fulfillment/derive/rule-starts.ts"
import { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { Database } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import type { TenantEvent } from "../../src/events/tenant.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { tenantHandler } from "../../src/tenants/tenant-consumer.ts"
import { emittedSql } from "../support/emitted.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { tenant } from "../support/values.ts"

const rule = { a: "a1a1a1a1-0000-4000-8000-000000000001", b: "b1b1b1b1-0000-4000-8000-000000000001" }

describe("event ids are unique per tenant, and Loyaltea's own ids are out of every client's reach", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<any>>
  let offset = 0

  const sql = <T>(text: string, params: Array<unknown> = []) =>
    runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => db.run((s) => s.unsafe(text, params as never) as unknown as Promise<T>)))
  const outboxCount = async () => (await sql<Array<{ n: number }>>(`select count(*)::int as n from (${emittedSql("fulfillment")}) e`))[0]!.n
  /** One batch on `buy` at the next offsets (or at `at`); what it emitted, decoded. */
  const buys = async (values: ReadonlyArray<unknown>, at = offset) => {
    offset = Math.max(offset, at + values.length)
    const outcome = await runtime.runPromise(processBatch("fulfillment", buyHandler, rawMessages("buy", values, { firstOffset: at })))
    return { outcome, emitted: outcome.emitted.map((m) => ({ topic: m.topic, value: JSON.parse(m.value) })) }
  }
  const purchase = (tenantName: string, fields: Record<string, unknown> = {}) => ({ tenant: tenantName, product: "bread", amount: 10, userId: "ann", ...fields })

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases, RulesIndex.layer, RuleStarts.layer))
    await registerTenantsIn(runtime, ["shop-a", "shop-b"])
    await runtime.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), (u) =>
      Effect.all([
        u.buy.create(allTenants, { tenant: tenant("shop-a"), fulfillment_id: rule.a, name: "bread", product: "bread", amount: 1 }),
        u.buy.create(allTenants, { tenant: tenant("shop-b"), fulfillment_id: rule.b, name: "bread", product: "bread", amount: 1 })
      ])))
  })
  afterAll(async () => {
    await runtime?.dispose()
    await database?.drop()
  })

  test("tenant A's event id does not swallow tenant B's event with the same id, in one batch or in two", async () => {
    const separate = [await buys([purchase("shop-a", { eventId: "order-1001" })]), await buys([purchase("shop-b", { eventId: "order-1001" })])]
    expect(separate.map((b) => b.outcome.applied)).toEqual([1, 1])
    expect(separate.flatMap((b) => b.emitted.map((e) => [e.value.tenant, e.value.fulfillmentId]))).toEqual([["shop-a", rule.a], ["shop-b", rule.b]])
    const together = await buys([purchase("shop-a", { eventId: "order-1002" }), purchase("shop-b", { eventId: "order-1002" }), purchase("shop-a", { eventId: "order-1002" })])
    expect(together.outcome).toMatchObject({ applied: 2, duplicates: 1, deadLettered: 0 })
    expect(together.emitted.map((e) => e.value.tenant)).toEqual(["shop-a", "shop-b"])
    // Each tenant's own replay is still a no-op.
    expect((await buys([purchase("shop-b", { eventId: "order-1001" })])).outcome).toMatchObject({ applied: 0, duplicates: 1 })
  })

  test("an id a client sends can never be one Loyaltea derives from an offset, so no event without an id can be claimed in advance", async () => {
    const at = offset + 10
    const reserved = await buys([purchase("shop-b", { eventId: `loyaltea:buy/0/${at}` })])
    expect(reserved.outcome).toMatchObject({ applied: 0, deadLettered: 1 })
    expect(JSON.parse(reserved.outcome.emitted[0]!.value).error).toContain('must not start with "loyaltea:"')
    // The old form of an offset id is just a client's id now: it claims nothing.
    expect((await buys([purchase("shop-b", { eventId: `buy/0/${at}` })])).outcome.applied).toBe(1)
    const victim = await buys([purchase("shop-b")], at)
    expect(victim.outcome).toMatchObject({ applied: 1, duplicates: 0 })
    expect(victim.emitted[0]!.value.causeEventId).toBe(`loyaltea:buy/0/${at}`)
  })

  test("ids processed before they were kept per tenant still count, for every tenant, in both forms", async () => {
    await sql(`insert into fulfillment.processed_events_legacy (topic, event_id) values ('buy', 'before-upgrade-1'), ('buy', 'loyaltea:buy/0/5000')`)
    const replay = await buys([purchase("shop-a", { eventId: "before-upgrade-1" }), purchase("shop-b", { eventId: "before-upgrade-1" })])
    expect(replay.outcome).toMatchObject({ applied: 0, duplicates: 2 })
    expect((await buys([purchase("shop-a")], 5000)).outcome).toMatchObject({ applied: 0, duplicates: 1 })
  })

  test("an event of a tenant that does not exist is dead-lettered with the reason, once, and nothing is derived from it", async () => {
    const before = await outboxCount()
    const unknown = await buys([purchase("nosuchshop", { eventId: "ghost-1" }), purchase("shop-a", { eventId: "real-1" })])
    expect(unknown.outcome).toMatchObject({ applied: 1, deadLettered: 1 })
    const letter = unknown.emitted.find((e) => e.topic === "buy.dlq")!.value
    expect(letter).toMatchObject({ error: "unknown tenant nosuchshop", topic: "buy" })
    expect(JSON.parse(letter.value)).toMatchObject({ tenant: "nosuchshop", eventId: "ghost-1" })
    expect(unknown.emitted.filter((e) => e.topic === "fulfillment").map((e) => e.value.tenant)).toEqual(["shop-a"])
    const again = await buys([purchase("nosuchshop", { eventId: "ghost-1" })])
    expect(again.outcome).toMatchObject({ applied: 0, duplicates: 1, deadLettered: 0, emitted: [] })
    expect(await outboxCount()).toBe(before + 2)
  })

  test("tenant events keep each service's copy current; an older version never replaces a newer one", async () => {
    const event = (version: number, allowEventsWithoutId: boolean): TenantEvent =>
      ({ tenant: tenant("shop-c"), name: `Shop C v${version}`, allowEventsWithoutId, version, eventId: `tenant:shop-c:v${version}` })
    const apply = (events: ReadonlyArray<TenantEvent>, at: number) =>
      runtime.runPromise(processBatch("fulfillment", tenantHandler("fulfillment"), rawMessages("tenant", events, { firstOffset: at })))
    const copy = () => sql<Array<{ name: string; allow: boolean; version: string }>>(
      `select name, allow_events_without_id as allow, version::text from fulfillment.tenants where id = 'shop-c'`)
    expect((await apply([event(2, true), event(1, false)], 0)).applied).toBe(2)
    expect(await copy()).toEqual([{ name: "Shop C v2", allow: true, version: "2" }])
    await apply([event(1, false)], 2)
    expect(await copy()).toEqual([{ name: "Shop C v2", allow: true, version: "2" }])
    await apply([event(3, false)], 3)
    expect(await copy()).toEqual([{ name: "Shop C v3", allow: false, version: "3" }])
    // Its time zone comes along, and a new one makes the rules of the tenant reload everywhere.
    const rulesVersion = async () => (await sql<Array<{ v: string }>>(`select version::text as v from fulfillment.rules_versions where tenant = 'shop-c'`))[0]?.v
    const before = await rulesVersion()
    await apply([{ ...event(4, false), timeZone: "Europe/Berlin" }], 4)
    expect(await sql(`select time_zone from fulfillment.tenants where id = 'shop-c'`)).toEqual([{ time_zone: "Europe/Berlin" }])
    expect(BigInt((await rulesVersion())!)).toBe(BigInt(before!) + 1n)
    await apply([{ ...event(5, true), timeZone: "Europe/Berlin" }], 5)
    expect(await rulesVersion()).toBe(String(BigInt(before!) + 1n))
    // Now known: its purchases are applied, not dead-lettered.
    expect((await buys([purchase("shop-c", { eventId: "c-1" })])).outcome).toMatchObject({ applied: 1, deadLettered: 0 })
  })
})
