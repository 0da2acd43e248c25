import { describe, expect, test } from "bun:test"
import { buildIndex, emptyIndex, matchBuy as matchPurchase, matchTag, type TenantIndex } from "../../src/actors/fulfillment/matching.ts"
import type { BuyRule, Rule, TagRule } from "../../src/actors/fulfillment/rule.ts"
import { fromNumber, toNumber } from "../../src/domain/decimal.ts"

const buy = (id: string, product: string, amount: number): BuyRule => ({ kind: "buy", id, name: id, product, amount: fromNumber(amount) })
const tag = (id: string, tagName: string): TagRule => ({ kind: "tag", id, name: id, tag: tagName })
// Purchases arrive as JSON numbers and become exact decimals before they are matched.
const matchBuy = (index: TenantIndex, purchase: { readonly product: string; readonly amount: number }) =>
  matchPurchase(index, { product: purchase.product, amount: fromNumber(purchase.amount) })

// The rules as events.md states them, checked against every rule: what the index must agree with.
const naiveBuy = (rules: ReadonlyArray<Rule>, product: string, amount: number) =>
  rules.filter((r): r is BuyRule => r.kind === "buy" && amount >= toNumber(r.amount) && (r.product === "" || r.product === product)).map((r) => r.id).sort()
const naiveTag = (rules: ReadonlyArray<Rule>, tagName: string) =>
  rules.filter((r): r is TagRule => r.kind === "tag" && r.tag === tagName).map((r) => r.id).sort()

/** A small deterministic generator (mulberry32), so a failing case can be replayed from its seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("matching purchases and activities to fulfillments", () => {
  test("the README example: bread for 101 completes 'bread for at least 100'; 99 does not", () => {
    const index = buildIndex([buy("bread100", "bread", 100)])
    expect(matchBuy(index, { product: "bread", amount: 101 })).toEqual(["bread100"])
    expect(matchBuy(index, { product: "bread", amount: 100 })).toEqual(["bread100"])
    expect(matchBuy(index, { product: "bread", amount: 99 })).toEqual([])
  })

  test("an empty product matches any product; a named product only itself, case and all", () => {
    const index = buildIndex([buy("any", "", 10), buy("cake", "cake", 10)])
    expect(matchBuy(index, { product: "bread", amount: 10 }).toSorted()).toEqual(["any"])
    expect(matchBuy(index, { product: "cake", amount: 10 }).toSorted()).toEqual(["any", "cake"])
    expect(matchBuy(index, { product: "Cake", amount: 10 })).toEqual(["any"])
    expect(matchBuy(index, { product: "", amount: 10 })).toEqual(["any"])
  })

  test("every rule a purchase reaches matches, whatever the order the rules came in", () => {
    const index = buildIndex([buy("b300", "bread", 300), buy("b100", "bread", 100), buy("b200", "bread", 200), buy("b0", "bread", 0)])
    expect(matchBuy(index, { product: "bread", amount: 250 })).toEqual(["b0", "b100", "b200"])
    expect(matchBuy(index, { product: "bread", amount: 0 })).toEqual(["b0"])
  })

  test("decimal amounts compare exactly at the boundary", () => {
    const index = buildIndex([buy("tenth", "", 0.3), buy("big", "", 99_999_999_999.9999)])
    expect(matchBuy(index, { product: "x", amount: 0.3 })).toEqual(["tenth"])
    expect(matchBuy(index, { product: "x", amount: 0.2999 })).toEqual([])
    expect(matchBuy(index, { product: "x", amount: 99_999_999_999.9999 }).toSorted()).toEqual(["big", "tenth"])
    expect(matchBuy(index, { product: "x", amount: 99_999_999_999.9998 })).toEqual(["tenth"])
  })

  test("a tag matches the tag fulfillments with exactly that tag, and no buy fulfillment", () => {
    const index = buildIndex([tag("s1", "signup"), tag("s2", "signup"), tag("r", "review"), buy("any", "", 0)])
    expect(matchTag(index, { tag: "signup" }).toSorted()).toEqual(["s1", "s2"])
    expect(matchTag(index, { tag: "Signup" })).toEqual([])
    expect(matchBuy(index, { product: "signup", amount: 5 })).toEqual(["any"])
  })

  test("a tenant without rules matches nothing", () => {
    expect(matchBuy(emptyIndex, { product: "bread", amount: 1e9 })).toEqual([])
    expect(matchTag(emptyIndex, { tag: "signup" })).toEqual([])
  })

  test("for random rules and events the index returns exactly what a scan of every rule returns", () => {
    const products = ["", "bread", "cake", "milk", "tea"]
    const tags = ["signup", "review", "newsletter", "visit"]
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed)
      const pick = <T>(list: ReadonlyArray<T>) => list[Math.floor(next() * list.length)]!
      // Amounts with up to 4 places, often colliding, so ties and boundaries are exercised (in
      // ten-thousandths, then scaled: a product of doubles would have more places than an amount may).
      const amount = () => (Math.round(next() * 20) * pick([10000, 5000, 1, 123456])) / 10000
      const rules: Array<Rule> = Array.from({ length: Math.floor(next() * 30) }, (_, i) =>
        next() < 0.7 ? buy(`r${i}`, pick(products), amount()) : tag(`r${i}`, pick(tags)))
      const index = buildIndex(rules)
      for (let probe = 0; probe < 20; probe++) {
        const product = pick(products)
        const spent = amount()
        const tagName = pick(tags)
        expect([seed, matchBuy(index, { product, amount: spent }).toSorted()]).toEqual([seed, naiveBuy(rules, product, spent)])
        expect([seed, matchTag(index, { tag: tagName }).toSorted()]).toEqual([seed, naiveTag(rules, tagName)])
      }
    }
  })

  test("no rule is reported twice for one event", () => {
    const rules = [buy("a", "", 1), buy("b", "bread", 1), tag("t", "signup")]
    const ids = matchBuy(buildIndex(rules), { product: "bread", amount: 5 })
    expect(new Set(ids).size).toBe(ids.length)
  })
})
