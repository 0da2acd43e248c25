import * as D from "../../../domain/decimal.ts"
import { type Contribution, maxKept } from "../goals/accumulator.ts"
import { keyText, type StoredProgress } from "../goals/settle.ts"
import type { TenantIndex } from "../matching.ts"
import { signatureOf } from "../rule.ts"
import { type CompletionRecord, isPartOf, type Part, stillQualifies } from "./completion-record.ts"
import { type OrderLine, remainingOf } from "./order.ts"

/** The user's goal progress, as a batch of refunds changes it. */
export type Goals = Map<string, StoredProgress>

/**
 * A refunded purchase still waiting in an open goal counts for what is left of it, or not at all
 * once that no longer qualifies (nothing left, or less than the rule's amount). Progress counted
 * for an older version of the rule is left alone: the next event starts it over anyway.
 */
export const shrinkOpenGoals = (
  goals: Goals, changed: Set<string>, index: TenantIndex, user: { readonly tenant: string; readonly userId: string }, orderId: string, lines: ReadonlyArray<OrderLine>
) => {
  for (const [text, progress] of goals) {
    if (progress.key.tenant !== user.tenant || progress.key.userId !== user.userId) continue
    const rule = index.rules.find((r) => r.id === progress.key.fulfillmentId)
    if (rule?.kind !== "buy" || signatureOf(rule) !== progress.signature) continue
    let touched = false
    const unused = progress.state.unused.flatMap((c): Array<Contribution> => {
      const line = lines.find((l) => isPartOf(c, orderId, l))
      if (line === undefined) return [c]
      const amount = D.min(c.amount, remainingOf(line))
      if (amount === c.amount) return [c]
      touched = true
      return stillQualifies(rule, amount) ? [{ ...c, amount }] : []
    })
    if (!touched) continue
    goals.set(text, { ...progress, state: { ...progress.state, unused } })
    changed.add(text)
  }
}

/**
 * The purchases of a revoked cumulative completion that still qualify go back to the user's open
 * progress towards the same rule (if it is still that rule), in event-time order: they count again
 * with the user's next qualifying purchase, as if the refunded one had never been bought.
 */
export const handBack = (goals: Goals, changed: Set<string>, index: TenantIndex, record: CompletionRecord, survivors: ReadonlyArray<Part>) => {
  if (survivors.length === 0) return
  const rule = index.rules.find((r) => r.id === record.fulfillmentId)
  if (rule === undefined || signatureOf(rule) !== record.rule.signature) return
  const key = { tenant: record.tenant, userId: record.userId, fulfillmentId: record.fulfillmentId }
  const text = keyText(key)
  const current = goals.get(text)
  if (current !== undefined && current.signature !== record.rule.signature) return
  const back = survivors.map((p): Contribution => ({ at: p.at, amount: p.amount, ref: p.ref, ...(p.eventId !== undefined && { eventId: p.eventId }) }))
  const unused = [...(current?.state.unused ?? []), ...back].sort((a, b) => a.at - b.at).slice(-maxKept)
  const latestAt = Math.max(current?.state.latestAt ?? -Infinity, ...back.map((c) => c.at))
  goals.set(text, { key, signature: record.rule.signature, state: { latestAt, unused } })
  changed.add(text)
}
