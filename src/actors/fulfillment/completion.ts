import { sum, toText } from "../../domain/decimal.ts"
import type { Contribution } from "./goals/accumulator.ts"
import type { Rule } from "./rule.ts"

/**
 * What a completion of a buy fulfillment reports: the purchases it used, their amounts summed
 * (`basis`, the spend an earn rate counts on) and their order ids, else event ids (`orderIds`,
 * for refunds to find them). A tag fulfillment reports neither: activities are no spend.
 */
export const reportedSpend = (rule: Rule, used: ReadonlyArray<Contribution>): { readonly basis?: string; readonly orderIds?: ReadonlyArray<string> } =>
  rule.kind === "buy" ? { basis: toText(sum(used.map((c) => c.amount))), orderIds: used.map((c) => c.ref) } : {}
