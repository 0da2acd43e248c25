import { describe, expect, test } from "bun:test"
import { advance, type Contribution, emptyState, type GoalState, maxKept, type Outcome, tallyAt } from "../../../src/actors/fulfillment/goals/accumulator.ts"
import type { Goal } from "../../../src/actors/fulfillment/goals/goal.ts"
import { fromText, toText } from "../../../src/domain/decimal.ts"

const day = 86_400_000
const t0 = Date.parse("2026-03-02T10:00:00Z")
const at = (days: number) => t0 + days * day
const event = (time: number, amount = "1", ref = `e@${time}`): Contribution => ({ at: time, amount: fromText(amount), ref })

const rolling = (text: string, ms: number) => ({ kind: "rolling" as const, ms, text })
const goal = (fields: Partial<Goal>): Goal => ({ count: 1, total: undefined, window: undefined, ...fields })

/** Feeds the events in arrival order; returns each outcome and the final state. */
const run = (g: Goal, events: ReadonlyArray<Contribution>, state: GoalState = emptyState) => {
  const outcomes: Array<Outcome> = []
  for (const e of events) {
    const step = advance(g, state, e)
    outcomes.push(step.outcome)
    state = step.state
  }
  return { outcomes, state }
}
const refsOf = (outcome: Outcome | undefined) => (outcome?.kind === "completed" ? outcome.used.map((c) => c.ref) : outcome?.kind)

describe("cumulative goals, judged on event time", () => {
  const threeInAWeek = goal({ count: 3, window: rolling("P7D", 7 * day) })

  test("bread 3 times within 7 days: the third purchase in the window completes it with all three", () => {
    const { outcomes } = run(threeInAWeek, [event(at(0), "2", "a"), event(at(2), "3", "b"), event(at(6), "4", "c")])
    expect(outcomes.map(refsOf)).toEqual(["counted", "counted", ["a", "b", "c"]])
  })

  test("out of order, each purchase is placed at its own event time", () => {
    const { outcomes } = run(threeInAWeek, [event(at(6), "1", "c"), event(at(0), "1", "a"), event(at(2), "1", "b")])
    expect(outcomes.map(refsOf)).toEqual(["counted", "counted", ["a", "b", "c"]])
  })

  test("three purchases spread over more than 7 days complete nothing", () => {
    const { outcomes } = run(threeInAWeek, [event(at(0)), event(at(4)), event(at(7))])
    expect(outcomes.map((o) => o.kind)).toEqual(["counted", "counted", "counted"])
  })

  test("purchases age out: older than the window before the latest, they stop counting, and late ones that old change nothing", () => {
    const { outcomes, state } = run(threeInAWeek, [event(at(0), "1", "a"), event(at(1), "1", "b"), event(at(9), "1", "c")])
    expect(outcomes.map((o) => o.kind)).toEqual(["counted", "counted", "counted"])
    expect(state.unused.map((c) => c.ref)).toEqual(["c"])
    const late = advance(threeInAWeek, state, event(at(2), "1", "late"))
    expect(late.outcome).toEqual({ kind: "too-old", horizon: at(9) - 7 * day + 1 })
    expect(late.state).toBe(state)
    // Just inside the window before the latest it still counts, and completes with the two after it.
    const inside = run(threeInAWeek, [event(at(2) + 1, "1", "d"), event(at(8), "1", "e")], state)
    expect(inside.outcomes.map(refsOf)).toEqual(["counted", ["d", "e", "c"]])
  })

  test("the fewest earliest events that meet the goal are used, whatever order they came in; later ones wait for the next round", () => {
    const g = goal({ count: 2, total: fromText("10"), window: rolling("P7D", 7 * day) })
    const { outcomes, state } = run(g, [event(at(9), "1", "nine"), event(at(5), "1", "five"), event(at(3), "9", "three")])
    expect(outcomes.map(refsOf)).toEqual(["counted", "counted", ["three", "five"]])
    expect(state.unused.map((c) => c.ref)).toEqual(["nine"])
  })

  test("a goal resets after completing: the next round starts from the events not used", () => {
    const g = goal({ count: 2 })
    const { outcomes } = run(g, ["a", "b", "c", "d", "e"].map((ref, i) => event(at(i * 40), "1", ref)))
    expect(outcomes.map(refsOf)).toEqual(["counted", ["a", "b"], "counted", ["c", "d"], "counted"])
  })

  test("a total is met with exact decimals: 0.1 + 0.2 reaches 0.3, and 0.7 + 0.1 reaches 0.8 (as doubles, 0.7999999999999999)", () => {
    expect(run(goal({ total: fromText("0.3") }), [event(at(0), "0.1", "a"), event(at(1), "0.2", "b")]).outcomes.map(refsOf)).toEqual(["counted", ["a", "b"]])
    expect(run(goal({ total: fromText("0.8") }), [event(at(0), "0.7", "a"), event(at(1), "0.1", "b")]).outcomes.map(refsOf)).toEqual(["counted", ["a", "b"]])
    expect(run(goal({ total: fromText("0.8") }), [event(at(0), "0.7", "a"), event(at(1), "0.0999", "b")]).outcomes.map((o) => o.kind)).toEqual(["counted", "counted"])
  })

  test("one purchase above the total completes it once, with its whole amount", () => {
    const { outcomes } = run(goal({ total: fromText("500") }), [event(at(0), "1500", "big")])
    expect(outcomes.map(refsOf)).toEqual([["big"]])
  })

  test("count and total together: both must be reached, by the fewest earliest purchases", () => {
    const g = goal({ count: 2, total: fromText("100") })
    const { outcomes } = run(g, [event(at(0), "90", "a"), event(at(1), "5", "b"), event(at(2), "5", "c"), event(at(3), "200", "d")])
    expect(outcomes.map(refsOf)).toEqual(["counted", "counted", ["a", "b", "c"], "counted"])
  })

  test("spend 500 this month in Europe/Berlin: a purchase at 00:30 on 1 February (23:30 UTC the day before) is February's", () => {
    const g = goal({ total: fromText("500"), window: { kind: "calendar", period: "month", timeZone: "Europe/Berlin" } })
    const january = event(Date.parse("2026-01-31T22:30:00Z"), "300", "jan")
    const february = event(Date.parse("2026-01-31T23:30:00Z"), "250", "feb")
    const { outcomes, state } = run(g, [january, february])
    expect(outcomes.map((o) => o.kind)).toEqual(["counted", "counted"])
    // January is over once February is counted: a late January purchase no longer counts.
    expect(advance(g, state, event(Date.parse("2026-01-15T12:00:00Z"), "1000")).outcome.kind).toBe("too-old")
    expect(run(g, [event(Date.parse("2026-02-27T12:00:00Z"), "250", "feb2")], state).outcomes.map(refsOf)).toEqual([["feb", "feb2"]])
    // In UTC both are January's and complete it.
    const utc = goal({ ...g, window: { kind: "calendar", period: "month", timeZone: "UTC" } })
    expect(run(utc, [january, february]).outcomes.map(refsOf)).toEqual(["counted", ["jan", "feb"]])
  })

  test("events at the same time keep their arrival order", () => {
    const { outcomes } = run(goal({ count: 2 }), [event(at(1), "1", "first"), event(at(1), "1", "second")])
    expect(outcomes.map(refsOf)).toEqual(["counted", ["first", "second"]])
  })

  test(`at most ${maxKept} unused events are kept, the earliest dropped first`, () => {
    const g = goal({ total: fromText("1") })
    const { state } = run(g, Array.from({ length: maxKept + 5 }, (_, i) => event(at(0) + i, "0", `z${i}`)))
    expect(state.unused).toHaveLength(maxKept)
    expect(state.unused[0]!.ref).toBe("z5")
  })

  test("how far along a user is: in the window ending now, this period, or ever", () => {
    const { state } = run(goal({ count: 5, window: rolling("P30D", 30 * day) }), [event(at(0), "10"), event(at(20), "15"), event(at(25), "5")])
    const tally = (g: Goal, now: number) => {
      const found = tallyAt(g, state, now)
      return [found.count, toText(found.total)]
    }
    expect(tally(goal({ count: 5, window: rolling("P30D", 30 * day) }), at(26))).toEqual([3, "30"])
    expect(tally(goal({ count: 5, window: rolling("P30D", 30 * day) }), at(31))).toEqual([2, "20"])
    const month = goal({ count: 5, window: { kind: "calendar", period: "month", timeZone: "UTC" } })
    expect(tally(month, at(26))).toEqual([3, "30"])
    expect(tally(month, at(31))).toEqual([0, "0"])
    expect(tally(goal({ count: 5 }), at(100))).toEqual([3, "30"])
  })
})
