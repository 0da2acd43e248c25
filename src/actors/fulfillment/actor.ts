import { Effect, Layer } from "effect"
import type { Sql } from "../../db/database.ts"
import { ActivityEvent } from "../../events/activity.ts"
import { BuyEvent } from "../../events/buy.ts"
import { fromNumber } from "../../domain/decimal.ts"
import type { FulfillmentEvent } from "../../events/fulfillment.ts"
import { Topics } from "../../events/topics.ts"
import { startImportSweep } from "../../imports/sweep.ts"
import { startImportedPurchasesPruning } from "./imports/imported-purchases-pruning.ts"
import { startProcessedEventsPruning } from "../../kafka/processed-events-pruning.ts"
import { startSupervisedConsumer } from "../../kafka/supervised-consumer.ts"
import { startTenantConsumer } from "../../tenants/tenant-consumer.ts"
import { type Consumed, topicHandler } from "../../kafka/topic-handler.ts"
import { fulfillmentEventId, fulfillmentMessage } from "./completion-event.ts"
import { readProgress, writeProgress } from "./goals/progress-repo.ts"
import { progressKeys, type Qualifying, settle } from "./goals/settle.ts"
import { emptyIndex, type TenantIndex } from "./matching.ts"
import { type Qualified, qualifyActivity, qualifyAmount } from "./qualify.ts"
import { type CompletionRecord, completionOf } from "./refunds/completion-record.ts"
import { recordCompletions } from "./refunds/completions-repo.ts"
import { refundHandler } from "./refunds/handler.ts"
import { applyHeld, orderRefOf } from "./refunds/held-application.ts"
import { heldFor, releaseHeld } from "./refunds/held-refunds-repo.ts"
import { newLines } from "./refunds/new-lines.ts"
import { addLines, saveOrders } from "./refunds/orders-repo.ts"
import { backfillRequestHandler } from "./derive/request-handler.ts"
import { RuleStarts } from "./derive/rule-starts.ts"
import { startDerivationRunner } from "./derive/runner.ts"
import { RulesIndex } from "./rules-index.ts"

type UserEvent = { readonly tenant: FulfillmentEvent["tenant"]; readonly userId: FulfillmentEvent["userId"] }

/**
 * Looks up the batch's tenants' rules once, matches every event in memory, then reads the
 * stored progress of the cumulative fulfillments the batch touches (one statement), applies the
 * events in the batch's order, and writes back what changed (one statement). Batches without
 * cumulative fulfillments cost no more than matching did.
 */
const settleAll = <A extends UserEvent>(topic: string, qualify: (index: TenantIndex, c: Consumed<A>) => Qualified) =>
  (tx: Sql, consumed: ReadonlyArray<Consumed<A>>) =>
    Effect.gen(function*() {
      const indexes = yield* RulesIndex.use((rules) => rules.forTenants(tx, consumed.map((c) => c.event.tenant)))
      const judges = yield* RuleStarts.use((starts) => starts.judging(tx, topic, consumed, indexes))
      const events = consumed.map((c): Qualifying => {
        const qualified = qualify(indexes.get(c.event.tenant) ?? emptyIndex, c)
        return { tenant: c.event.tenant, userId: c.event.userId, contribution: qualified.contribution, rules: qualified.rules.filter((rule) => judges(rule, c)) }
      })
      const stored = yield* readProgress(tx, progressKeys(events), true)
      const { judged, changed } = settle(events, stored)
      yield* writeProgress(tx, changed.values())
      const completions: Array<CompletionRecord> = []
      const emitted = consumed.flatMap((c, i) =>
        judged[i]!.flatMap((j) => {
          if (j.outcome.kind !== "completed") return []
          if (j.rule.kind === "buy") completions.push(completionOf(c.event.tenant, c.event.userId, fulfillmentEventId(c.eventId, j.rule.id), j.rule, j.outcome.used))
          return [fulfillmentMessage(c, j.rule, j.outcome.used)]
        })
      )
      return { emitted, completions }
    })

/**
 * Purchases are kept per order (what a refund later takes back from), added in one statement that
 * also locks the orders; refunds that came first are applied before the purchases are judged. Every
 * completion of a buy fulfillment is recorded with the purchases it used (one more statement).
 */
const settlePurchases = (tx: Sql, consumed: ReadonlyArray<Consumed<BuyEvent>>) =>
  Effect.gen(function*() {
    const orders = yield* addLines(tx, newLines(consumed))
    const waiting = orders.filter((o) => o.heldRefunds > 0)
    const held = yield* heldFor(tx, waiting)
    const applied = applyHeld(consumed, waiting, held)
    yield* saveOrders(tx, applied.orders)
    yield* releaseHeld(tx, held)
    const judgedOn = (c: Consumed<BuyEvent>) => applied.judged.get(`${c.event.tenant}\u0000${c.eventId}`) ?? fromNumber(c.event.amount)
    const { emitted, completions } = yield* settleAll<BuyEvent>(Topics.buy, (index, c) =>
      qualifyAmount(index, c.event.product, judgedOn(c), c.eventTime, orderRefOf(c), c.eventId))(tx, consumed)
    yield* recordCompletions(tx, completions)
    return [...applied.deadLetters, ...emitted]
  })

/** `buy` → one `fulfillment` event per buy fulfillment of the tenant the purchase completes. */
export const buyHandler = topicHandler({
  topic: Topics.buy,
  schema: BuyEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: settlePurchases
})

/** `activity` → one `fulfillment` event per tag fulfillment of the tenant the activity completes. */
export const activityHandler = topicHandler({
  topic: Topics.activity,
  schema: ActivityEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) => settleAll<ActivityEvent>(Topics.activity, (index, c) => qualifyActivity(index, c.event, c.eventTime, c.eventId))(tx, consumed).pipe(Effect.map((r) => r.emitted))
})

export const FulfillmentActor = Layer.effectDiscard(
  Effect.gen(function*() {
    yield* startSupervisedConsumer({ schema: "fulfillment", handlers: [buyHandler, activityHandler, refundHandler, backfillRequestHandler] })
    yield* startDerivationRunner
    yield* startTenantConsumer("fulfillment")
    yield* startProcessedEventsPruning("fulfillment")
    yield* startImportSweep("fulfillment")
    yield* startImportedPurchasesPruning
  })
).pipe(Layer.provide([RulesIndex.layer, RuleStarts.layer]))
