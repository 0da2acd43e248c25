import { compare, type Decimal } from "../../domain/decimal.ts"
import type { BuyRule, Rule, TagRule } from "./rule.ts"

/**
 * One tenant's fulfillments arranged for lookup: an event only looks at the rules that can match
 * it (its product's and the any-product ones, or its tag's), never at the whole list.
 */
export interface TenantIndex {
  /** Buy rules per product, each list by amount ascending. */
  readonly buyByProduct: ReadonlyMap<string, ReadonlyArray<BuyRule>>
  /** Buy rules whose product is empty (any product), by amount ascending. */
  readonly buyAnyProduct: ReadonlyArray<BuyRule>
  readonly tagByTag: ReadonlyMap<string, ReadonlyArray<TagRule>>
  /** Every rule, in the order they were created: what a dry run judges one by one. */
  readonly rules: ReadonlyArray<Rule>
}

export const emptyIndex: TenantIndex = { buyByProduct: new Map(), buyAnyProduct: [], tagByTag: new Map(), rules: [] }

const byAmountThenId = (a: BuyRule, b: BuyRule) => compare(a.amount, b.amount) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const push = <K, V>(map: Map<K, Array<V>>, key: K, value: V) => {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

export const buildIndex = (rules: Iterable<Rule>): TenantIndex => {
  const all = [...rules]
  const buyByProduct = new Map<string, Array<BuyRule>>()
  const buyAnyProduct: Array<BuyRule> = []
  const tagByTag = new Map<string, Array<TagRule>>()
  for (const rule of all) {
    if (rule.kind === "tag") push(tagByTag, rule.tag, rule)
    else if (rule.product === "") buyAnyProduct.push(rule)
    else push(buyByProduct, rule.product, rule)
  }
  for (const list of buyByProduct.values()) list.sort(byAmountThenId)
  buyAnyProduct.sort(byAmountThenId)
  return { buyByProduct, buyAnyProduct, tagByTag, rules: all }
}

// Sorted ascending, so the first rule above the amount ends the scan.
const reached = (rules: ReadonlyArray<BuyRule>, amount: Decimal, into: Array<BuyRule>) => {
  for (const rule of rules) {
    if (rule.amount > amount) break
    into.push(rule)
  }
}

/**
 * The buy fulfillments a purchase qualifies for: amount at least the rule's, and the rule's
 * product empty or the purchase's. Amounts are exact decimals, never doubles.
 */
export const matchBuyRules = (index: TenantIndex, purchase: { readonly product: string; readonly amount: Decimal }): ReadonlyArray<BuyRule> => {
  const found: Array<BuyRule> = []
  reached(index.buyAnyProduct, purchase.amount, found)
  if (purchase.product !== "") reached(index.buyByProduct.get(purchase.product) ?? [], purchase.amount, found)
  return found
}

/** The tag fulfillments an activity qualifies for: the same tag, exactly. */
export const matchTagRules = (index: TenantIndex, activity: { readonly tag: string }): ReadonlyArray<TagRule> => index.tagByTag.get(activity.tag) ?? []

export const matchBuy = (index: TenantIndex, purchase: { readonly product: string; readonly amount: Decimal }): ReadonlyArray<string> =>
  matchBuyRules(index, purchase).map((rule) => rule.id)

export const matchTag = (index: TenantIndex, activity: { readonly tag: string }): ReadonlyArray<string> =>
  matchTagRules(index, activity).map((rule) => rule.id)
