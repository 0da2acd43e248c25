import { describe, expect, test } from "bun:test"
import * as D from "../../src/domain/decimal.ts"
import type { EarnRule } from "../../src/domain/earning.ts"
import {
  type CampaignRules, type FulfillmentDone, keyText, periodKeyText, type Progress, runFulfillments, touchedKeys
} from "../../src/actors/campaign/progress.ts"
import { type Counters, counterDeltas } from "../../src/actors/campaign/counters/counters.ts"
import { holdingBack } from "../../src/actors/campaign/rules/holding-back.ts"
import { counts, gateReasons } from "../../src/actors/campaign/rules/lifecycle.ts"
import type { BudgetUsage } from "../../src/actors/campaign/rules/limits.ts"

const at = (iso: string) => Date.parse(iso)
const dec = (text: string) => D.fromText(text)
const fixed = (points: string): EarnRule => ({ kind: "fixed", points: dec(points) })
const perTen: EarnRule = { kind: "per_amount", pointsPerUnit: dec("1"), unit: dec("10"), rounding: "down", maxPoints: null }

const campaign = (overrides: Partial<CampaignRules> = {}): CampaignRules => ({
  id: "c",
  tenant: "t",
  fulfillments: ["a"],
  rewards: ["r"],
  earning: new Map([["r", fixed("10")]]),
  ...overrides
})
const lookup = (...campaigns: ReadonlyArray<CampaignRules>) => (tenant: string, fulfillmentId: string) =>
  campaigns.filter((c) => c.tenant === tenant && c.fulfillments.includes(fulfillmentId))
let n = 0
const done = (eventTime: string, options: { f?: string; user?: string; basis?: string; orderIds?: Array<string> } = {}): FulfillmentDone => ({
  eventId: `e${n++}`,
  tenant: "t",
  userId: options.user ?? "ada",
  fulfillmentId: options.f ?? "a",
  eventTime: at(eventTime),
  ...(options.basis !== undefined && { basis: dec(options.basis) }),
  ...(options.orderIds !== undefined && { orderIds: options.orderIds })
})
const key = (userId = "ada", campaignId = "c") => ({ tenant: "t", userId, campaignId })

/** A seeded generator of whole numbers below `max`: a failure reproduces. */
const generator = (seed: number) => {
  let state = seed >>> 0
  return (max: number) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max)
  }
}

describe("status and window", () => {
  const window = campaign({ startsAt: at("2026-03-01T00:00:00Z"), endsAt: at("2026-04-01T00:00:00Z") })

  test("the window is [startsAt, endsAt): its first millisecond counts, its end does not", () => {
    expect(counts(window, at("2026-02-28T23:59:59.999Z"))).toBe(false)
    expect(counts(window, at("2026-03-01T00:00:00.000Z"))).toBe(true)
    expect(counts(window, at("2026-03-31T23:59:59.999Z"))).toBe(true)
    expect(counts(window, at("2026-04-01T00:00:00.000Z"))).toBe(false)
    expect(counts(window, undefined)).toBe(false)
    expect(counts(campaign({ startsAt: at("2026-03-01T00:00:00Z") }), at("2030-01-01T00:00:00Z"))).toBe(true)
    expect(counts(campaign({ endsAt: at("2026-04-01T00:00:00Z") }), at("2000-01-01T00:00:00Z"))).toBe(true)
  })

  test("only active campaigns count events; the others say why, and so does the window", () => {
    expect(counts(campaign(), undefined)).toBe(true)
    for (const status of ["draft", "paused", "ended"] as const) {
      expect(counts(campaign({ status }), at("2026-03-02T00:00:00Z"))).toBe(false)
      expect(gateReasons(campaign({ status }), at("2026-03-02T00:00:00Z"))).toEqual([{ rule: "status", message: `the campaign is ${status}`, status }])
    }
    expect(gateReasons(window, at("2026-02-01T00:00:00Z"))).toEqual([
      { rule: "window-not-started", message: "the campaign counts events from 2026-03-01T00:00:00.000Z", startsAt: "2026-03-01T00:00:00.000Z" }
    ])
    expect(gateReasons(window, at("2026-04-01T00:00:00Z")).map((r) => r.rule)).toEqual(["window-ended"])
    expect(gateReasons(window, at("2026-03-15T00:00:00Z"))).toEqual([])
  })

  test("events outside the window or of a paused campaign touch nothing and change nothing", () => {
    const paused = campaign({ id: "p", status: "paused" })
    const events = [done("2026-02-27T12:00:00Z"), done("2026-04-02T12:00:00Z")]
    expect(touchedKeys(events, lookup(window, paused))).toEqual([])
    expect(runFulfillments(events, lookup(window, paused), new Map())).toEqual({ changed: [], completions: [], blocked: [] })
    expect(runFulfillments([done("2026-03-31T23:00:00Z")], lookup(window, paused), new Map()).completions.map((c) => c.campaign.id)).toEqual(["c"])
  })
})

describe("the round's basis", () => {
  const two = campaign({ fulfillments: ["a", "b"], earning: new Map([["r", perTen]]) })

  test("sums its fulfillments' bases and orders; the completion carries them and the next round starts empty", () => {
    const result = runFulfillments([
      done("2026-03-02T10:00:00Z", { f: "a", basis: "60.5", orderIds: ["o1"] }),
      done("2026-03-01T09:00:00Z", { f: "b", basis: "69.49", orderIds: ["o2"] })
    ], lookup(two), new Map())
    const [completion] = result.completions
    expect(completion!.round).toMatchObject({ basis: dec("129.99"), orderIds: ["o1", "o2"], lastEventAt: at("2026-03-02T10:00:00Z") })
    expect(completion!.points).toEqual([{ rewardId: "r", points: dec("12") }])
    expect(result.changed[0]!.progress).toEqual({ completed: [], completions: 1 })
  })

  test("a tag (no basis) adds nothing; one purchase meeting two fulfillments is spent once; a repeat adds nothing", () => {
    const tag = runFulfillments([done("2026-03-02T10:00:00Z", { f: "a" }), done("2026-03-02T10:00:00Z", { f: "b", basis: "20", orderIds: ["o1"] })], lookup(two), new Map())
    expect(tag.completions[0]!.round.basis).toEqual(dec("20"))
    const once = runFulfillments([
      done("2026-03-02T10:00:00Z", { f: "a", basis: "120", orderIds: ["o1"] }),
      done("2026-03-02T10:00:00Z", { f: "a", basis: "500", orderIds: ["o9"] }),
      done("2026-03-02T10:00:00Z", { f: "b", basis: "120", orderIds: ["o1"] })
    ], lookup(two), new Map())
    expect(once.completions[0]!.round).toMatchObject({ basis: dec("120"), orderIds: ["o1"] })
    const none = runFulfillments([done("2026-03-02T10:00:00Z", { f: "a" }), done("2026-03-02T10:00:00Z", { f: "b" })], lookup(two), new Map())
    expect(none.completions[0]!.round.basis).toBeUndefined()
    expect(none.completions[0]!.points).toEqual([{ rewardId: "r", points: D.zero }])
  })
})

describe("limits", () => {
  test("perUser: completions per user, ever; the next complete round waits, blocked, naming n/N", () => {
    const limited = campaign({ limits: { perUser: 2 } })
    const result = runFulfillments([1, 2, 3].map((day) => done(`2026-03-0${day}T10:00:00Z`)), lookup(limited), new Map())
    expect(result.completions).toHaveLength(2)
    expect(result.blocked.map((b) => b.reason)).toEqual([{ rule: "per-user-limit", message: "per-user limit reached (2/2)", count: 2, limit: 2 }])
    expect(result.changed[0]!.progress).toMatchObject({ completed: ["a"], completions: 2 })
    const other = runFulfillments([done("2026-03-01T10:00:00Z", { user: "bob" })], lookup(limited), new Map())
    expect(other.completions).toHaveLength(1)
  })

  test("perUserPerPeriod counts the calendar month of the completing event in the tenant's zone: across the month end in Europe/Berlin", () => {
    const monthly = (timeZone: string) => campaign({ timeZone, limits: { perUserPerPeriod: { count: 1, period: "month" } } })
    // 23:30 and 00:30 on the night from March 31 to April 1 in Berlin (CEST, UTC+2); both still March in UTC.
    const events = [done("2026-03-31T21:30:00Z"), done("2026-03-31T22:30:00Z")]
    const berlin = runFulfillments(events, lookup(monthly("Europe/Berlin")), new Map())
    expect(berlin.completions.map((c) => c.period)).toEqual(["month:2026-03-01", "month:2026-04-01"])
    const utc = runFulfillments(events, lookup(monthly("UTC")), new Map())
    expect(utc.completions.map((c) => c.period)).toEqual(["month:2026-03-01"])
    expect(utc.blocked[0]!.reason).toMatchObject({
      rule: "per-period-limit", count: 1, limit: 1, period: "month", periodStart: "2026-03-01T00:00:00.000Z", periodEnd: "2026-04-01T00:00:00.000Z"
    })
  })

  test("a round held back by the period waits complete, and the user's first event of the next period completes it with its basis", () => {
    const monthly = campaign({ timeZone: "Europe/Berlin", fulfillments: ["a", "b"], limits: { perUserPerPeriod: { count: 1, period: "month" } } })
    const march = periodKeyText(key(), "month:2026-03-01")
    const blocked = runFulfillments([
      done("2026-03-10T10:00:00Z", { f: "a", basis: "30", orderIds: ["o1"] }),
      done("2026-03-11T10:00:00Z", { f: "b", basis: "40", orderIds: ["o2"] })
    ], lookup(monthly), new Map(), { periods: new Map([[march, 1]]) })
    expect(blocked.completions).toEqual([])
    expect(blocked.blocked.map((b) => b.reason.rule)).toEqual(["per-period-limit"])
    const waiting = blocked.changed[0]!.progress
    expect(waiting).toMatchObject({ completed: ["a", "b"], basis: dec("70") })
    const stored = new Map([[keyText(key()), waiting]])
    // Still March: still held back, and a repeat changes nothing to store.
    const again = runFulfillments([done("2026-03-31T21:59:59Z", { f: "a" })], lookup(monthly), stored, { periods: new Map([[march, 1]]) })
    expect(again).toMatchObject({ changed: [], completions: [] })
    expect(again.blocked).toHaveLength(1)
    // April in Berlin: a repeat of a fulfillment already done has the round judged again, and it completes.
    const april = runFulfillments([done("2026-03-31T22:00:00Z", { f: "a", basis: "999", orderIds: ["o3"] })], lookup(monthly), stored, { periods: new Map([[march, 1]]) })
    expect(april.completions.map((c) => [c.period, c.round.basis, c.round.orderIds])).toEqual([["month:2026-04-01", dec("70"), ["o1", "o2"]]])
    expect(april.changed[0]!.progress).toEqual({ completed: [], completions: 1 })
  })

  test("budgets: completions and points in total over all users, never exceeded; a points budget waits for rewards it cannot count", () => {
    const users = ["u1", "u2", "u3", "u4"]
    const completionsBudget = campaign({ limits: { budgetCompletions: 3 } })
    const byCompletions = runFulfillments(users.map((user) => done("2026-03-01T10:00:00Z", { user })), lookup(completionsBudget), new Map())
    expect(byCompletions.completions.map((c) => c.key.userId)).toEqual(["u1", "u2", "u3"])
    expect(byCompletions.blocked.map((b) => b.reason)).toEqual([{ rule: "budget-completions", message: "budget exhausted: 3/3 completions", used: 3, limit: 3 }])

    const pointsBudget = campaign({ rewards: ["r", "s"], earning: new Map([["r", fixed("10")], ["s", fixed("2.5")]]), limits: { budgetPoints: dec("30") } })
    const used: BudgetUsage = { completions: 1, points: dec("12.5") }
    const byPoints = runFulfillments(users.map((user) => done("2026-03-01T10:00:00Z", { user })), lookup(pointsBudget), new Map(), { budgets: new Map([["c", used]]) })
    expect(byPoints.completions.map((c) => c.key.userId)).toEqual(["u1"])
    expect(byPoints.blocked[0]!.reason).toEqual({
      rule: "budget-points", message: "budget exhausted: 25/30 points used, this round needs 12.5", used: 25, limit: 30, needed: 12.5
    })

    const unknownReward = campaign({ rewards: ["r", "x"], limits: { budgetPoints: dec("1000") } })
    const waits = runFulfillments([done("2026-03-01T10:00:00Z")], lookup(unknownReward), new Map())
    expect(waits.completions).toEqual([])
    expect(waits.blocked[0]!.reason).toMatchObject({ rule: "reward-unknown", rewardId: "x" })
    const noBudget = runFulfillments([done("2026-03-01T10:00:00Z")], lookup(campaign({ rewards: ["r", "x"] })), new Map())
    expect(noBudget.completions[0]!.points).toEqual([{ rewardId: "r", points: dec("10") }, { rewardId: "x", points: null }])
  })

  test("property: a batch split anywhere, its progress and counters carried over, completes the same rounds", () => {
    const limited = [
      campaign({ id: "c1", fulfillments: ["a", "b"], limits: { perUser: 3, budgetPoints: dec("70") } }),
      campaign({ id: "c2", fulfillments: ["a"], timeZone: "Europe/Berlin", limits: { perUserPerPeriod: { count: 2, period: "day" }, budgetCompletions: 9 } })
    ]
    const held = new Set<string>()
    for (let seed = 1; seed <= 200; seed++) {
      const random = generator(seed)
      // Around midnight in Berlin, so the day limit's periods turn within the batch.
      const events = Array.from({ length: 1 + random(60) }, () =>
        done(new Date(at("2026-03-30T20:00:00Z") + random(4 * 3600_000)).toISOString(), { f: random(2) ? "a" : "b", user: `u${random(4)}`, basis: "5" }))
      const whole = runFulfillments(events, lookup(...limited), new Map())
      const cut = random(events.length + 1)
      const first = runFulfillments(events.slice(0, cut), lookup(...limited), new Map())
      const deltas = counterDeltas(first.completions)
      const carried: Counters = {
        periods: new Map(deltas.periods.map((p) => [periodKeyText(p.key, p.period), p.completions])),
        budgets: new Map(deltas.budgets.map((b) => [b.campaignId, b.usage]))
      }
      const progress = new Map<string, Progress>(first.changed.map((c) => [keyText(c.key), c.progress]))
      const second = runFulfillments(events.slice(cut), lookup(...limited), progress, carried)
      const ids = (r: typeof whole) => r.completions.map((c) => `${c.cause.eventId}/${c.campaign.id}`)
      expect(`${seed}: ${[...ids(first), ...ids(second)]}`).toBe(`${seed}: ${ids(whole)}`)
      const spent = D.sum(whole.completions.filter((c) => c.campaign.id === "c1").flatMap((c) => c.points.map((p) => p.points!)))
      expect(D.compare(spent, dec("70"))).toBeLessThanOrEqual(0)
      whole.blocked.forEach((b) => held.add(b.reason.rule))
    }
    // Every limit did hold rounds back somewhere in the runs.
    expect([...held].sort()).toEqual(["budget-completions", "budget-points", "per-period-limit", "per-user-limit"])
  })
})

describe("what holds a user back now", () => {
  test("lists the status, the window, each limit reached and the round's basis", () => {
    const rules = campaign({
      status: "paused",
      endsAt: at("2026-04-01T00:00:00Z"),
      fulfillments: ["a", "b"],
      limits: { perUser: 1, budgetCompletions: 5, budgetPoints: dec("100") },
      earning: new Map()
    })
    const progress: Progress = { completed: ["a"], completions: 1, basis: dec("12.5"), orderIds: ["o1"] }
    const reasons = holdingBack(rules, key(), progress, at("2026-04-02T00:00:00Z"), { budgets: new Map([["c", { completions: 5, points: dec("50") }]]) })
    expect(reasons.map((r) => r.rule)).toEqual(["status", "window-ended", "per-user-limit", "reward-unknown", "budget-completions", "round-basis"])
    expect(reasons.at(-1)).toEqual({ rule: "round-basis", message: "the round's spend so far is 12.5 (1 order)", basis: 12.5, orderIds: ["o1"] })
    expect(holdingBack(campaign(), key(), { completed: [], completions: 0 }, Date.now(), {})).toEqual([])
  })
})
