import { describe, expect, test } from "bun:test"
import { advance, type Contribution, emptyState, type Outcome } from "../../../src/actors/fulfillment/goals/accumulator.ts"
import type { Goal } from "../../../src/actors/fulfillment/goals/goal.ts"
import { periodOf } from "../../../src/domain/calendar.ts"
import { type Decimal, fromInteger, fromText, sum } from "../../../src/domain/decimal.ts"
import { picker, random } from "../../support/random.ts"

const hour = 3_600_000
const day = 24 * hour
const base = Date.parse("2026-01-20T00:00:00Z")

/** A random goal: count, total, and a rolling window, a calendar period in Berlin, or neither. */
const randomGoal = (next: () => number): Goal => {
  const pick = picker(next)
  const count = pick([1, 1, 2, 3, 4])
  const total = count === 1 || next() < 0.4 ? fromInteger(pick([10, 25, 60])) : undefined
  const kind = pick(["rolling", "rolling", "calendar", "none"] as const)
  const window: Goal["window"] = kind === "none"
    ? undefined
    : kind === "rolling"
    ? (() => {
      const days = pick([1, 3, 7, 10])
      return { kind: "rolling", ms: days * day, text: `P${days}D` }
    })()
    : { kind: "calendar", period: pick(["day", "week", "month"] as const), timeZone: "Europe/Berlin" }
  return { count, total: count === 1 && total === undefined ? fromInteger(10) : total, window }
}

/** Events over ~70 days across a month end, often at the same hour, arriving partly out of order. */
const randomEvents = (next: () => number): Array<Contribution> => {
  const pick = picker(next)
  const times = Array.from({ length: 1 + Math.floor(next() * 40) }, () => base + Math.floor(next() * 70 * 24) * hour).sort((a, b) => a - b)
  // Mostly in time order, with some events delayed by up to a few days (late arrivals).
  const arrivals = times.map((at, i) => ({ at, key: at + (next() < 0.3 ? next() * 5 * day : 0), i }))
  arrivals.sort((a, b) => a.key - b.key)
  return arrivals.map(({ at }, i) => ({ at, amount: fromText(pick(["0", "1.5", "4", "7.25", "12", "30.0001"])), ref: `e${i}` }))
}

const total = (list: ReadonlyArray<Contribution>): Decimal => sum(list.map((c) => c.amount))
const meets = (goal: Goal, list: ReadonlyArray<Contribution>) => list.length >= goal.count && (goal.total === undefined || total(list) >= goal.total)
const periodStart = (goal: Goal, at: number) => goal.window?.kind === "calendar" ? periodOf(at, goal.window.period, goal.window.timeZone).start : 0
const samePeriod = (goal: Goal, a: number, b: number) => periodStart(goal, a) === periodStart(goal, b)

/** Groups of events that may count together: each rolling window [s, s+W) at an event time, each period, or all. */
const groups = (goal: Goal, events: ReadonlyArray<Contribution>): Array<Array<Contribution>> => {
  const window = goal.window
  if (window === undefined) return [[...events]]
  if (window.kind === "calendar") return events.map((e) => events.filter((o) => samePeriod(goal, e.at, o.at)))
  return events.map((e) => events.filter((o) => o.at >= e.at && o.at < e.at + window.ms))
}

/**
 * Brute force, independent of how the accumulator searches: replays the arrivals and checks
 * every reported completion and every event left unused against the rules as stated.
 */
const check = (goal: Goal, arrivals: ReadonlyArray<Contribution>, outcomes: ReadonlyArray<Outcome>): Array<string> => {
  const faults: Array<string> = []
  let latest: number | undefined
  let unused: Array<Contribution> = []
  const used = new Set<Contribution>()
  const tooOld = (at: number) =>
    latest !== undefined && goal.window !== undefined &&
    (goal.window.kind === "rolling" ? at <= latest - goal.window.ms : at < periodStart(goal, latest))
  arrivals.forEach((event, i) => {
    const outcome = outcomes[i]!
    const old = tooOld(event.at)
    if (old !== (outcome.kind === "too-old")) faults.push(`${event.ref}: too old is ${old}, outcome ${outcome.kind}`)
    if (old) return
    latest = latest === undefined ? event.at : Math.max(latest, event.at)
    unused = [...unused, event].filter((c) => !tooOld(c.at))
    if (outcome.kind === "completed") {
      const list = outcome.used
      if (!list.includes(event)) faults.push(`${event.ref}: a completion without the event that completed it`)
      for (const c of list) {
        if (used.has(c)) faults.push(`${c.ref} used twice`)
        if (!unused.includes(c)) faults.push(`${c.ref} used but not available (aged out, or never counted)`)
        used.add(c)
      }
      if (!meets(goal, list)) faults.push(`${event.ref}: completion does not meet the goal`)
      const sorted = [...list].sort((a, b) => a.at - b.at)
      if (meets(goal, sorted.slice(0, -1))) faults.push(`${event.ref}: completion uses more events than needed`)
      const window = goal.window
      if (window?.kind === "rolling" && sorted[sorted.length - 1]!.at - sorted[0]!.at >= window.ms) faults.push(`${event.ref}: completion wider than the window`)
      if (window?.kind === "calendar" && !list.every((c) => samePeriod(goal, c.at, event.at))) faults.push(`${event.ref}: completion across periods`)
      unused = unused.filter((c) => !list.includes(c))
    }
    // Whatever is left must not meet the goal anywhere: nothing met is left unreported.
    if (groups(goal, unused).some((group) => meets(goal, group))) faults.push(`after ${event.ref}: the goal is met by events left unused`)
  })
  return faults
}

const replay = (goal: Goal, arrivals: ReadonlyArray<Contribution>) => {
  let state = emptyState
  return arrivals.map((event) => {
    const step = advance(goal, state, event)
    state = step.state
    return step.outcome
  })
}

describe("cumulative goals against a brute-force oracle", () => {
  test("for random goals and out-of-order events, every completion is valid, each event is used once, and no met goal is left unreported", () => {
    let completions = 0
    for (let seed = 1; seed <= 1500; seed++) {
      const next = random(seed)
      const goal = randomGoal(next)
      const arrivals = randomEvents(next)
      const outcomes = replay(goal, arrivals)
      completions += outcomes.filter((o) => o.kind === "completed").length
      expect([seed, check(goal, arrivals, outcomes)]).toEqual([seed, []])
    }
    // The cases are not vacuous: many goals are met.
    expect(completions).toBeGreaterThan(3000)
  }, 60_000)

  test("replaying the same events in the same order gives the same completions", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const goal = randomGoal(random(seed))
      const arrivals = randomEvents(random(seed * 7919))
      const refs = (outcomes: ReadonlyArray<Outcome>) => outcomes.map((o) => (o.kind === "completed" ? o.used.map((c) => c.ref) : o.kind))
      expect(refs(replay(goal, arrivals))).toEqual(refs(replay(goal, arrivals)))
    }
  })
})
