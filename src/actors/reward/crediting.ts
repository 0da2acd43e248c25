import * as D from "../../domain/decimal.ts"
import { type EarnRule, pointsFor } from "../../domain/earning.ts"
import type { RewardEvent } from "../../events/reward.ts"

/** What one reward event comes to: points to credit, nothing at all, or a dead letter with its reason. */
export type CreditDecision =
  | { readonly kind: "credit"; readonly points: D.Decimal }
  | { readonly kind: "nothing" }
  | { readonly kind: "refused"; readonly reason: string }

const refused = (reason: string): CreditDecision => ({ kind: "refused", reason })

const positiveOrNothing = (points: D.Decimal): CreditDecision => (D.isZero(points) ? { kind: "nothing" } : { kind: "credit", points })

/**
 * The points a reward event earns under its reward's rule (undefined: the tenant has no such
 * reward). The event's own `points` are what the campaign counted against its budget, so they
 * are credited as they are; events from before carry none, and are counted here: a fixed reward
 * its points, a per_amount reward its rate on the event's `basis`. A count of 0 credits nothing
 * (the ledger holds no empty entries) and is no error.
 */
export const creditDecision = (event: RewardEvent, rule: EarnRule | undefined): CreditDecision => {
  if (rule === undefined) return refused(`tenant ${event.tenant} has no reward ${event.rewardId}`)
  if (event.points !== undefined) {
    const points = D.fromText(event.points)
    return D.isNegative(points) ? refused(`points must not be negative (${event.points})`) : positiveOrNothing(points)
  }
  if (rule.kind === "fixed") return positiveOrNothing(rule.points)
  if (event.basis === undefined) return refused(`reward ${event.rewardId} earns per amount spent, but the event carries no basis (the spend to count it on)`)
  const basis = D.fromText(event.basis)
  if (D.isNegative(basis)) return refused(`basis must not be negative (${event.basis})`)
  return positiveOrNothing(pointsFor(rule, basis))
}
