import type { BuyRule, Rule, TagRule } from "./model.ts"

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
}

export const emptyIndex: TenantIndex = { buyByProduct: new Map(), buyAnyProduct: [], tagByTag: new Map() }

const byAmountThenId = (a: BuyRule, b: BuyRule) => a.amount - b.amount || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const push = <K, V>(map: Map<K, Array<V>>, key: K, value: V) => {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

export const buildIndex = (rules: Iterable<Rule>): TenantIndex => {
  const buyByProduct = new Map<string, Array<BuyRule>>()
  const buyAnyProduct: Array<BuyRule> = []
  const tagByTag = new Map<string, Array<TagRule>>()
  for (const rule of rules) {
    if (rule.kind === "tag") push(tagByTag, rule.tag, rule)
    else if (rule.product === "") buyAnyProduct.push(rule)
    else push(buyByProduct, rule.product, rule)
  }
  for (const list of buyByProduct.values()) list.sort(byAmountThenId)
  buyAnyProduct.sort(byAmountThenId)
  return { buyByProduct, buyAnyProduct, tagByTag }
}

// Sorted ascending, so the first rule above the amount ends the scan.
const reached = (rules: ReadonlyArray<BuyRule>, amount: number, into: Array<string>) => {
  for (const rule of rules) {
    if (rule.amount > amount) break
    into.push(rule.id)
  }
}

/**
 * The buy fulfillments a purchase completes: amount at least the rule's, and the rule's product
 * empty or the purchase's. Amounts are decimals of at most 15 significant digits, so comparing
 * them as doubles is exact.
 */
export const matchBuy = (index: TenantIndex, purchase: { readonly product: string; readonly amount: number }): ReadonlyArray<string> => {
  const ids: Array<string> = []
  reached(index.buyAnyProduct, purchase.amount, ids)
  if (purchase.product !== "") reached(index.buyByProduct.get(purchase.product) ?? [], purchase.amount, ids)
  return ids
}

/** The tag fulfillments an activity completes: the same tag, exactly. */
export const matchTag = (index: TenantIndex, activity: { readonly tag: string }): ReadonlyArray<string> =>
  (index.tagByTag.get(activity.tag) ?? []).map((rule) => rule.id)
