import { Effect } from "effect"
import type { Sql } from "../../../db/database.ts"
import { RefundEvent } from "../../../events/refund.ts"
import { Topics } from "../../../events/topics.ts"
import { type Consumed, topicHandler } from "../../../kafka/topic-handler.ts"
import { writeProgress } from "../goals/progress-repo.ts"
import { RulesIndex } from "../rules-index.ts"
import { applyRefunds } from "./apply-refunds.ts"
import { lockCompletionsOf, saveCompletions } from "./completions-repo.ts"
import { holdRefunds } from "./held-refunds-repo.ts"
import { orderKeyText } from "./order.ts"
import { lockOrders, saveOrders } from "./orders-repo.ts"
import { lockUserGoals } from "./user-goals-repo.ts"

/**
 * Locks in one order everywhere (orders, then goal progress, then completions), so that a buy
 * batch and a refund batch of the same order, handled at once, wait for each other: whichever
 * comes second sees what the first did. The same few statements for any batch size: the
 * orders, the rules, the users' goals and the completions read, and what changed written.
 */
const applyBatch = (tx: Sql, consumed: ReadonlyArray<Consumed<RefundEvent>>) =>
  Effect.gen(function*() {
    const keys = [...new Map(consumed.map((c) => [orderKeyText(c.event), { tenant: c.event.tenant, orderId: c.event.orderId }])).values()]
    const orders = new Map((yield* lockOrders(tx, keys)).map((o) => [orderKeyText(o), o]))
    const bought = [...orders.values()].filter((o) => o.lines.length > 0)
    const users = [...new Map(bought.map((o) => [`${o.tenant}\u0000${o.userId}`, { tenant: o.tenant, userId: o.userId! }])).values()]
    const indexes = yield* RulesIndex.use((rules) => rules.forTenants(tx, users.map((u) => u.tenant)))
    const goals = new Map(yield* lockUserGoals(tx, users))
    const completionsOf = yield* lockCompletionsOf(tx, bought)
    const outcome = applyRefunds(consumed, { orders, completionsOf, goals, indexes })
    yield* saveOrders(tx, [...outcome.changedOrders].map((text) => orders.get(text)!))
    yield* holdRefunds(tx, outcome.held)
    yield* saveCompletions(tx, [...outcome.changedCompletions.values()])
    yield* writeProgress(tx, [...outcome.changedGoals].map((text) => goals.get(text)!))
    if (outcome.held.length > 0) {
      yield* Effect.logInfo(`holding ${outcome.held.length} refund(s) until their purchase arrives: ${outcome.held.map((h) => `${h.tenant}/${h.orderId}`).join(", ")}`)
    }
    return outcome.emitted
  })

/** `refund` → `fulfillment-revoked` for each completion of the order it takes back or shrinks. */
export const refundHandler = topicHandler({
  topic: Topics.refund,
  schema: RefundEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: applyBatch
})
