import * as D from "../../../domain/decimal.ts"
import type { RefundEvent } from "../../../events/refund.ts"
import { eventKey, Topics } from "../../../events/topics.ts"
import { deadLetterForEvent } from "../../../kafka/dead-letter.ts"
import type { Consumed, Emitted } from "../../../kafka/topic-handler.ts"
import { emptyIndex, type TenantIndex } from "../matching.ts"
import { type CompletionRecord, rejudge } from "./completion-record.ts"
import { type Goals, handBack, shrinkOpenGoals } from "./goal-adjustments.ts"
import type { HeldRefund } from "./held-refunds-repo.ts"
import { type Order, orderKeyText, otherUsersOrder, refund } from "./order.ts"
import { revokedMessage } from "./revoked-message.ts"

/** What a batch of refunds reads, and changes in place. */
export interface RefundState {
  readonly orders: Map<string, Order>
  /** Each order's completions, by `orderKeyText`. */
  readonly completionsOf: ReadonlyMap<string, ReadonlyArray<CompletionRecord>>
  readonly goals: Goals
  readonly indexes: ReadonlyMap<string, TenantIndex>
}

export interface RefundOutcome {
  readonly emitted: Array<Emitted>
  readonly held: Array<HeldRefund>
  readonly changedOrders: Set<string>
  /** The completions changed, by fulfillment event id (one record per completion, however many orders it used). */
  readonly changedCompletions: Map<string, CompletionRecord>
  readonly changedGoals: Set<string>
}

export const refundDeadLetter = (consumed: Consumed<RefundEvent>, reason: string): Emitted =>
  deadLetterForEvent(Topics.refund, consumed, eventKey(consumed.event.tenant, consumed.event.userId), reason)

/**
 * A batch's refunds in the batch's order. An order with no purchase yet holds its refunds; one of
 * another user, or a refund of more than is left, goes to the dead-letter topic with the reason and
 * changes nothing. Otherwise the refund is taken from the order's purchases, and every completion
 * they took part in is judged again on what is left: each that no longer holds, or whose spend
 * shrank, emits `fulfillment-revoked`; open goals count the purchases for what is left of them.
 */
export const applyRefunds = (refunds: ReadonlyArray<Consumed<RefundEvent>>, state: RefundState): RefundOutcome => {
  const outcome: RefundOutcome = { emitted: [], held: [], changedOrders: new Set(), changedCompletions: new Map(), changedGoals: new Set() }
  for (const consumed of refunds) {
    const { tenant, userId, orderId } = consumed.event
    const text = orderKeyText({ tenant, orderId })
    const order = state.orders.get(text)!
    const amount = consumed.event.amount === undefined ? undefined : D.fromNumber(consumed.event.amount)
    if (order.lines.length === 0) {
      outcome.held.push({ tenant, orderId, eventId: consumed.eventId, userId, amount, eventTime: consumed.eventTime, partition: consumed.partition, offset: consumed.offset, event: consumed.event })
      state.orders.set(text, { ...order, heldRefunds: order.heldRefunds + 1 })
      outcome.changedOrders.add(text)
      continue
    }
    if (order.userId !== userId) {
      outcome.emitted.push(refundDeadLetter(consumed, otherUsersOrder(order, userId)))
      continue
    }
    const result = refund(order, amount)
    if (result.kind === "refused") {
      outcome.emitted.push(refundDeadLetter(consumed, result.reason))
      continue
    }
    state.orders.set(text, result.order)
    outcome.changedOrders.add(text)
    const index = state.indexes.get(tenant) ?? emptyIndex
    shrinkOpenGoals(state.goals, outcome.changedGoals, index, { tenant, userId }, orderId, result.changed)
    for (const stored of state.completionsOf.get(text) ?? []) {
      const record = outcome.changedCompletions.get(stored.fulfillmentEventId) ?? stored
      const verdict = rejudge(record, orderId, result.order.lines)
      if (verdict.kind === "unchanged") continue
      outcome.changedCompletions.set(record.fulfillmentEventId, verdict.record)
      if (verdict.kind === "revoked") {
        outcome.emitted.push(revokedMessage(consumed, verdict.record, { ...verdict, holds: false }))
        handBack(state.goals, outcome.changedGoals, index, verdict.record, verdict.survivors)
      } else if (!D.isZero(verdict.refundedBasis)) {
        outcome.emitted.push(revokedMessage(consumed, verdict.record, { ...verdict, holds: true }))
      }
    }
  }
  return outcome
}
