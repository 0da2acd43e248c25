import { describe, expect, test } from "bun:test"
import { Schema } from "effect"
import * as D from "../../src/domain/decimal.ts"
import { type EarnRule, roundings } from "../../src/domain/earning.ts"
import { RewardDefinitionEvent } from "../../src/events/reward-definition.ts"
import { definitionEvent, earnRuleOf } from "../../src/events/reward-definition-rule.ts"

let seed = 77
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
/** A positive decimal of up to 9 whole digits and 4 places. */
const positive = () => D.divideBy(D.fromInteger(1 + Math.floor(next() * 10 ** Math.floor(next() * 13))), D.fromInteger(10_000))

const randomRule = (): EarnRule =>
  next() < 0.3
    ? { kind: "fixed", points: positive() }
    : { kind: "per_amount", pointsPerUnit: positive(), unit: positive(), rounding: roundings[Math.floor(next() * 3)]!, maxPoints: next() < 0.5 ? positive() : null }

const wire = Schema.fromJsonString(RewardDefinitionEvent)

describe("a reward's rule on topic reward-definition", () => {
  test("1000 random rules come back from the wire as the same rule, exactly", () => {
    for (let i = 0; i < 1000; i++) {
      const rule = randomRule()
      const event = definitionEvent({ tenant: "meiwei", rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", version: i + 1, rule })
      const received = Schema.decodeUnknownSync(wire)(Schema.encodeSync(wire)(event))
      expect(earnRuleOf(received)).toEqual(rule)
    }
  })

  test("a per_amount event names every field of its rule, a fixed one only its points", () => {
    const perAmount = definitionEvent({
      tenant: "meiwei",
      rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
      version: 3,
      rule: { kind: "per_amount", pointsPerUnit: D.fromText("1"), unit: D.fromText("10.00"), rounding: "down", maxPoints: null }
    }, true)
    expect(perAmount).toEqual({
      tenant: "meiwei" as never, rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", version: 3, deleted: true, kind: "per_amount",
      pointsPerUnit: "1", unit: "10", rounding: "down", maxPoints: null, eventId: "reward-definition:0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d:v3"
    })
    const fixed = definitionEvent({ tenant: "meiwei", rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", version: 1, rule: { kind: "fixed", points: D.fromText("0.25") } })
    expect(Object.keys(fixed).sort()).toEqual(["deleted", "eventId", "kind", "points", "rewardId", "tenant", "version"])
    expect(fixed.points).toBe("0.25")
  })

  test("an event missing a field its kind needs gives no rule, rather than a wrong one", () => {
    const head = { tenant: "meiwei" as never, rewardId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", version: 1, deleted: false, eventId: "x" }
    expect(earnRuleOf({ ...head, kind: "fixed" })).toBeUndefined()
    expect(earnRuleOf({ ...head, kind: "per_amount", pointsPerUnit: "1" })).toBeUndefined()
    expect(earnRuleOf({ ...head, kind: "per_amount", pointsPerUnit: "1", unit: "0" })).toBeUndefined()
    expect(earnRuleOf({ ...head, kind: "per_amount", pointsPerUnit: "1", unit: "10" })).toEqual({
      kind: "per_amount", pointsPerUnit: D.fromText("1"), unit: D.fromText("10"), rounding: "down", maxPoints: null
    })
  })
})
