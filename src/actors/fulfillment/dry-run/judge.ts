import { toText } from "../../../domain/decimal.ts"
import { reportedSpend } from "../completion.ts"
import { type Contribution, tallyAt } from "../goals/accumulator.ts"
import { describeTally, withEvent, wouldMake } from "../goals/describe.ts"
import type { Judged } from "../goals/settle.ts"
import type { Rule } from "../rule.ts"

/** What an event would be, as one of the events the service sees. */
export type Probe =
  | { readonly kind: "buy"; readonly product: string; readonly contribution: Contribution }
  | { readonly kind: "tag"; readonly tag: string; readonly contribution: Contribution }

export interface Verdict {
  readonly fulfillment_id: string
  readonly kind: Rule["kind"]
  readonly name: string
  readonly matched: boolean
  readonly reason?: string
}

export interface Completion {
  readonly fulfillmentId: string
  readonly occurredAt: string
  readonly basis?: string
  readonly orderIds?: ReadonlyArray<string>
}

/** Why an event does not qualify for a rule at all, or undefined when it does. */
const mismatch = (rule: Rule, probe: Probe): string | undefined => {
  if (rule.kind === "buy" && probe.kind === "tag") return "a buy fulfillment: needs a purchase"
  if (rule.kind === "tag" && probe.kind === "buy") return `a tag fulfillment: needs an activity tagged ${rule.tag}`
  if (rule.kind === "tag") return probe.kind === "tag" && probe.tag !== rule.tag ? "tag differs" : undefined
  if (probe.kind !== "buy") return undefined
  if (rule.product !== "" && rule.product !== probe.product) return "product differs"
  const amount = probe.contribution.amount
  return amount < rule.amount ? `amount ${toText(amount)} < ${toText(rule.amount)}` : undefined
}

const why = (judged: Judged, event: Contribution): string | undefined => {
  const goal = judged.rule.goal
  if (judged.outcome.kind === "completed" || goal === undefined) return undefined
  if (judged.outcome.kind === "too-old") {
    const horizon = judged.outcome.horizon
    const since = goal.window?.kind === "rolling" ? `after ${new Date(horizon - 1).toISOString()}` : `from ${new Date(horizon).toISOString()} on`
    return `too old: its window has moved on; only events ${since} still count`
  }
  const before = tallyAt(goal, judged.before, event.at)
  return `${describeTally(judged.rule, goal, before)} (this one would make ${wouldMake(goal, withEvent(before, event))})`
}

/**
 * Every fulfillment of the tenant, judged for one event: `matched` when the event would complete
 * it, else the reason (it does not qualify, is too old, or the goal is still short of it).
 */
export const verdicts = (rules: ReadonlyArray<Rule>, probe: Probe, judged: ReadonlyArray<Judged>): ReadonlyArray<Verdict> => {
  const byRule = new Map(judged.map((j) => [j.rule.id, j]))
  return rules.map((rule) => {
    const found = byRule.get(rule.id)
    const reason = found === undefined ? mismatch(rule, probe) ?? "does not qualify" : why(found, probe.contribution)
    return { fulfillment_id: rule.id, kind: rule.kind, name: rule.name, matched: reason === undefined, ...(reason === undefined ? {} : { reason }) }
  })
}

/** The `fulfillment` events the event would cause, as the handler would emit them (less their ids). */
export const completions = (judged: ReadonlyArray<Judged>, occurredAt: string): ReadonlyArray<Completion> =>
  judged.flatMap((j) => {
    if (j.outcome.kind !== "completed") return []
    return [{ fulfillmentId: j.rule.id, occurredAt, ...reportedSpend(j.rule, j.outcome.used) }]
  })
