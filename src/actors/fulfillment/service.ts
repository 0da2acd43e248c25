import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Database } from "../../db/database.ts"
import type { DatabaseError } from "../../db/errors.ts"
import { AlreadyExists, NotFound } from "../../domain/errors.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import type { BuyFulfillmentInput, BuyFulfillmentUpdate, FulfillmentKind, TagFulfillmentInput, TagFulfillmentUpdate } from "./model.ts"
import { makeGoalProgress } from "./progress/service.ts"
import { heldSummary } from "./refunds/held-refunds-repo.ts"
import * as repo from "./repo.ts"
import { RulesIndex } from "./rules-index.ts"

export interface Page {
  readonly limit: number
  readonly offset: number
}

const resource = (kind: FulfillmentKind) => `${kind} fulfillment`

/** Just the goal fields of a request (the schemas have validated them). */
const goalOf = (input: repo.GoalInput): repo.GoalInput => ({ count: input.count, total: input.total, within: input.within, period: input.period })

const make = Effect.gen(function*() {
  const db = yield* Database
  const tenants = yield* TenantDirectory

  // Reads and writes alike: another tenant's fulfillment is not found, exactly like one that does not exist.
  const found = (kind: FulfillmentKind, id: string) => <A>(row: A | undefined) =>
    row === undefined ? Effect.fail(new NotFound({ resource: resource(kind), id })) : Effect.succeed(row)

  // The id may be taken by the other kind too: one table holds both, and ids are global.
  const created = (kind: FulfillmentKind, id: string | undefined) => <A, E, R>(insert: Effect.Effect<A, E | DatabaseError, R>) =>
    insert.pipe(Effect.catchTag("UniqueViolation", () => Effect.fail(new AlreadyExists({ resource: resource(kind), id: id ?? "" }))))

  const kindOps = <A>(rows: repo.KindRows<A>) => ({
    get: (scope: TenantScope, id: string) => repo.findFulfillment(db.sql, rows, scope, id).pipe(Effect.flatMap(found(rows.kind, id))),
    list: (scope: TenantScope, page: Page) => repo.listFulfillments(db.sql, rows, scope, page),
    delete: (scope: TenantScope, id: string) =>
      repo.deleteFulfillment(db.sql, rows.kind, scope, id).pipe(
        Effect.flatMap((deleted) => (deleted ? Effect.void : found(rows.kind, id)(undefined)))
      )
  })

  const buy = {
    ...kindOps(repo.buyRows),
    create: (scope: TenantScope, input: BuyFulfillmentInput) =>
      tenants.writable(scope, input.tenant).pipe(
        Effect.andThen(repo.insertBuy(db.sql, { ...goalOf(input), id: input.fulfillment_id ?? randomUUID(), tenant: input.tenant, name: input.name, product: input.product, amount: input.amount })),
        created("buy", input.fulfillment_id)
      ),
    update: (scope: TenantScope, id: string, update: BuyFulfillmentUpdate) =>
      repo.updateBuy(db.sql, scope, id, { ...goalOf(update), name: update.name, product: update.product, amount: update.amount }).pipe(
        Effect.flatMap(found("buy", id))
      )
  }

  const tag = {
    ...kindOps(repo.tagRows),
    create: (scope: TenantScope, input: TagFulfillmentInput) =>
      tenants.writable(scope, input.tenant).pipe(
        Effect.andThen(repo.insertTag(db.sql, { ...goalOf(input), id: input.fulfillment_id ?? randomUUID(), tenant: input.tenant, name: input.name, tag: input.tag })),
        created("tag", input.fulfillment_id)
      ),
    update: (scope: TenantScope, id: string, update: TagFulfillmentUpdate) =>
      repo.updateTag(db.sql, scope, id, { ...goalOf(update), name: update.name, tag: update.tag }).pipe(Effect.flatMap(found("tag", id)))
  }

  const { progress } = yield* makeGoalProgress
  const heldRefunds = (scope: TenantScope) => heldSummary(db.sql, scope).pipe(Effect.map((tenants) => ({ tenants })))
  return { buy, tag, progress, heldRefunds }
})

/**
 * The fulfillment service's use cases over its rules: the HTTP routes' CRUD of both kinds, and
 * users' progress towards cumulative ones (with a rules index of its own, kept current like the actor's).
 */
export class FulfillmentUseCases extends Context.Service<FulfillmentUseCases, Effect.Success<typeof make>>()("loyaltea/fulfillment/FulfillmentUseCases") {
  static readonly layer = Layer.effect(FulfillmentUseCases, make).pipe(Layer.provide(RulesIndex.layer))
}
