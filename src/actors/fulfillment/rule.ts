import { type Decimal, toText } from "../../domain/decimal.ts"
import type { Goal } from "./goals/goal.ts"

/** A buy fulfillment as the matcher needs it: the condition, the goal (absent: each purchase completes it), the id to report. */
export interface BuyRule {
  readonly kind: "buy"
  readonly id: string
  readonly name: string
  /** Empty: any product. */
  readonly product: string
  readonly amount: Decimal
  readonly goal?: Goal | undefined
}

export interface TagRule {
  readonly kind: "tag"
  readonly id: string
  readonly name: string
  readonly tag: string
  readonly goal?: Goal | undefined
}

export type Rule = BuyRule | TagRule

/**
 * What a user's stored progress towards a rule was counted for. When an operator changes what
 * qualifies or what the goal is, progress counted under the old rule is not carried over: the
 * user starts again. (A new time zone of the tenant is not a new rule: it moves period bounds.)
 */
export const signatureOf = (rule: Rule): string => {
  const goal = rule.goal
  const window = goal?.window === undefined ? "" : goal.window.kind === "rolling" ? goal.window.text : goal.window.period
  const condition = rule.kind === "buy" ? [rule.product, toText(rule.amount)] : [rule.tag]
  return JSON.stringify([rule.kind, ...condition, goal?.count ?? 1, goal?.total === undefined ? "" : toText(goal.total), window])
}
