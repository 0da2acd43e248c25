import type { Rule } from "../rule.ts"
import { signatureOf } from "../rule.ts"
import { advance, type Contribution, emptyState, type GoalState, type Outcome } from "./accumulator.ts"
import { accumulates } from "./goal.ts"

/** Whose progress: one user's towards one fulfillment, in one tenant. */
export interface ProgressKey {
  readonly tenant: string
  readonly userId: string
  readonly fulfillmentId: string
}

export const keyText = (key: ProgressKey) => `${key.tenant}\u0000${key.userId}\u0000${key.fulfillmentId}`

/** A user's stored progress towards one fulfillment, with the rule it was counted for. */
export interface StoredProgress {
  readonly key: ProgressKey
  readonly signature: string
  readonly state: GoalState
}

/** One event of a batch with the fulfillments it qualifies for (product and amount, or tag, match). */
export interface Qualifying {
  readonly tenant: string
  readonly userId: string
  readonly contribution: Contribution
  readonly rules: ReadonlyArray<Rule>
}

/** What one event did to one fulfillment it qualifies for; `before` is the progress it was judged against. */
export interface Judged {
  readonly rule: Rule
  readonly before: GoalState
  readonly outcome: Outcome
}

/** The keys whose stored progress a batch needs: each user's cumulative fulfillments it touches. */
export const progressKeys = (events: ReadonlyArray<Qualifying>): ReadonlyArray<ProgressKey> => {
  const keys = new Map<string, ProgressKey>()
  for (const event of events) {
    for (const rule of event.rules) {
      if (!accumulates(rule.goal)) continue
      const key = { tenant: event.tenant, userId: event.userId, fulfillmentId: rule.id }
      keys.set(keyText(key), key)
    }
  }
  return [...keys.values()]
}

/**
 * Applies a batch's qualifying events, in the batch's order (a user's events are in log order),
 * to the stored progress: what each event did to each fulfillment, and the progress to store
 * for every key the batch changed. A fulfillment without a cumulative goal completes on each
 * qualifying event and keeps nothing.
 */
export const settle = (events: ReadonlyArray<Qualifying>, stored: ReadonlyMap<string, StoredProgress>) => {
  const changed = new Map<string, StoredProgress>()
  const judged = events.map((event) =>
    event.rules.map((rule): Judged => {
      if (!accumulates(rule.goal)) return { rule, before: emptyState, outcome: { kind: "completed", used: [event.contribution] } }
      const key = { tenant: event.tenant, userId: event.userId, fulfillmentId: rule.id }
      const text = keyText(key)
      const signature = signatureOf(rule)
      const current = changed.get(text) ?? stored.get(text)
      const before = current?.signature === signature ? current.state : emptyState
      const step = advance(rule.goal, before, event.contribution)
      if (step.state !== before || current?.signature !== signature) changed.set(text, { key, signature, state: step.state })
      return { rule, before, outcome: step.outcome }
    })
  )
  return { judged, changed }
}
