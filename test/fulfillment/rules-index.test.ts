import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { buyHandler } from "../../src/actors/fulfillment/actor.ts"
import { matchBuy, type TenantIndex } from "../../src/actors/fulfillment/matching.ts"
import { RulesIndex } from "../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../src/actors/fulfillment/derive/rule-starts.ts"
import { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { Database, type Sql } from "../../src/db/database.ts"
import { fromNumber } from "../../src/domain/decimal.ts"
import type { BuyEvent } from "../../src/events/buy.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import type { Consumed } from "../../src/kafka/topic-handler.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { tenant, userId } from "../support/values.ts"
import { consumedOf } from "../support/messages.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"

/** The transaction, counting the statements sent through it and the values each carried. */
const counting = (tx: Sql) => {
  const statements: Array<ReadonlyArray<unknown>> = []
  const proxy = new Proxy(tx, {
    apply: (target, self, args: Array<unknown>) => {
      statements.push(args.slice(1))
      return Reflect.apply(target, self, args)
    }
  })
  return { tx: proxy, statements }
}

describe("the in-memory rules index", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | RulesIndex | RuleStarts | TenantDirectory>>

  const inTransaction = <A>(f: (tx: Sql) => Effect.Effect<A, unknown, RulesIndex | RuleStarts>) =>
    runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => db.transaction(f)))
  const lookup = async (tenants: ReadonlyArray<string>) => {
    let statements: Array<ReadonlyArray<unknown>> = []
    const indexes = await inTransaction((tx) => {
      const probe = counting(tx)
      statements = probe.statements
      return Effect.flatMap(Effect.service(RulesIndex), (index) => index.forTenants(probe.tx, tenants))
    })
    return { indexes, statements }
  }
  const rules = <A, E>(f: (u: FulfillmentUseCases["Service"]) => Effect.Effect<A, E>) =>
    runtime.runPromise(Effect.flatMap(Effect.service(FulfillmentUseCases), f))
  const matches = (index: TenantIndex | undefined, amount: number) => (index ? matchBuy(index, { product: "bread", amount: fromNumber(amount) }) : [])

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases, RulesIndex.layer, RuleStarts.layer))
    await registerTenantsIn(runtime, ["a", "b", "t0", "t1", "t2", "t3"])
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("tenants that never had a fulfillment cost one query and match nothing", async () => {
    const { indexes, statements } = await lookup(["nobody", "nobody", "noone"])
    expect(statements).toHaveLength(1)
    expect(matches(indexes.get("nobody"), 1e9)).toEqual([])
  })

  test("rules are loaded once, then only a tenant whose rules changed is reloaded", async () => {
    const a = await rules((u) => u.buy.create(allTenants, { tenant: tenant("a"), name: "a", product: "bread", amount: 10 }))
    await rules((u) => u.buy.create(allTenants, { tenant: tenant("b"), name: "b", product: "bread", amount: 10 }))
    const first = await lookup(["a", "b"])
    expect(first.statements).toHaveLength(2)
    expect([...(first.statements[1]![0] as Array<string>)].sort()).toEqual(["a", "b"])

    const warm = await lookup(["a", "b"])
    expect(warm.statements).toHaveLength(1)
    expect(matches(warm.indexes.get("a"), 10)).toEqual([a.fulfillment_id])

    await rules((u) => u.buy.update(allTenants, a.fulfillment_id, { product: "bread", amount: 20 }))
    const changed = await lookup(["a", "b"])
    expect(changed.statements).toHaveLength(2)
    expect(changed.statements[1]![0]).toEqual(["a"])
    expect(matches(changed.indexes.get("a"), 10)).toEqual([])
    expect(matches(changed.indexes.get("b"), 10)).toHaveLength(1)
  })

  test("a whole batch is matched with at most two queries, however many events and tenants it holds (besides keeping its orders and completions)", async () => {
    const tenants = ["t0", "t1", "t2", "t3"]
    await rules((u) => Effect.forEach(tenants, (t) => u.buy.create(allTenants, { tenant: tenant(t), name: t, product: "", amount: 50 })))
    const consumed: Array<Consumed<BuyEvent>> = Array.from({ length: 400 }, (_, i) =>
      consumedOf({ tenant: tenant(tenants[i % 4]!), product: "bread", amount: i % 100, userId: userId(`u${i}`) }, `e${i}`, i))
    const sent: Array<Array<ReadonlyArray<unknown>>> = []
    const run = () =>
      inTransaction((tx) => {
        const probe = counting(tx)
        sent.push(probe.statements)
        return buyHandler.handle(probe.tx, consumed)
      })
    const emitted = await run()
    expect(emitted).toHaveLength(200)
    // The orders kept for refunds (one statement), the versions and the rules, where the rules start
    // judging the partition (once), the completions recorded (one).
    expect(sent[0]).toHaveLength(5)
    expect(await run()).toEqual(emitted)
    expect(sent[1]).toHaveLength(3)
  })
})
