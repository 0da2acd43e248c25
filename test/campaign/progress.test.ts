import { describe, expect, test } from "bun:test"
import {
  advance, applyFulfillments, type CampaignRules, type CampaignsOf, type FulfillmentDone, keyText, noProgress, type Progress,
  standing, touchedKeys
} from "../../src/actors/campaign/progress.ts"

// A seeded generator: the properties run over many cases, and a failure reproduces.
const generator = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const shuffle = <A>(items: ReadonlyArray<A>) => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1)
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out
  }
  return { int, shuffle, pick: <A>(items: ReadonlyArray<A>) => items[int(items.length)]! }
}
type Generator = ReturnType<typeof generator>

/** Runs a property over 300 seeds; a failure names its seed. */
const forAll = (property: (g: Generator) => void) => {
  for (let seed = 1; seed <= 300; seed++) {
    try {
      property(generator(seed))
    } catch (error) {
      throw new Error(`fails for seed ${seed}: ${(error as Error).message}`)
    }
  }
}

const ids = Array.from({ length: 8 }, (_, i) => `f${i}`)
const campaign = (id: string, fulfillments: ReadonlyArray<string>, rewards = ["r1"]): CampaignRules => ({ id, tenant: "t", fulfillments, rewards })
const lookup = (campaigns: ReadonlyArray<CampaignRules>): CampaignsOf => (tenant, fulfillmentId) =>
  campaigns.filter((c) => c.tenant === tenant && c.fulfillments.includes(fulfillmentId))
const done = (n: number, fulfillmentId: string, userId = "ada", tenant = "t"): FulfillmentDone => ({ eventId: `e${n}`, tenant, userId, fulfillmentId })
const feed = (start: Progress, rules: CampaignRules, fulfillments: ReadonlyArray<string>) =>
  fulfillments.reduce((acc, f) => {
    const step = advance(acc.progress, rules, f)
    return { progress: step.progress, completions: acc.completions + (step.completedCampaign ? 1 : 0) }
  }, { progress: start, completions: 0 })

describe("advancing one campaign", () => {
  test("a campaign of two completes only when both are done, then starts over", () => {
    const rules = campaign("c", ["a", "b"])
    const first = advance(noProgress, rules, "a")
    expect(first).toEqual({ progress: { completed: ["a"], completions: 0 }, changed: true, completedCampaign: false })
    const second = advance(first.progress, rules, "b")
    expect(second).toEqual({ progress: { completed: [], completions: 1 }, changed: true, completedCampaign: true })
  })

  test("a fulfillment already done, or not in the campaign, changes nothing", () => {
    const rules = campaign("c", ["a", "b"])
    const once = advance(noProgress, rules, "a").progress
    expect(advance(once, rules, "a")).toEqual({ progress: once, changed: false, completedCampaign: false })
    expect(advance(once, rules, "z")).toEqual({ progress: once, changed: false, completedCampaign: false })
  })

  test("ids left over from an earlier version of the campaign neither count nor block completion", () => {
    const rules = campaign("c", ["a", "b"])
    const stale: Progress = { completed: ["gone", "a"], completions: 2 }
    expect(advance(stale, rules, "b")).toEqual({ progress: { completed: [], completions: 3 }, changed: true, completedCampaign: true })
    expect(advance({ completed: ["gone"], completions: 0 }, rules, "a").completedCampaign).toBe(false)
  })

  test("property: every fulfillment of the campaign once, in any order, from any progress, completes it exactly once", () => forAll((g) => {
    const fulfillments = g.shuffle(ids).slice(0, 1 + g.int(ids.length))
    const rules = campaign("c", fulfillments)
    const already = g.shuffle(fulfillments).slice(0, g.int(fulfillments.length))
    const start: Progress = { completed: [...already, ...(g.int(2) ? ["stale"] : [])], completions: g.int(5) }
    const end = feed(start, rules, g.shuffle(fulfillments))
    expect(end.completions).toBe(1)
    expect(end.progress.completions).toBe(start.completions + 1)
  }))

  test("property: within a round a repeat changes nothing; after a completion the same fulfillment starts the next round", () => forAll((g) => {
    const rules = campaign("c", g.shuffle(ids).slice(0, 1 + g.int(4)))
    let progress = noProgress
    for (let n = 0; n < 20; n++) {
      const f = g.pick(ids)
      const step = advance(progress, rules, f)
      const again = advance(step.progress, rules, f)
      if (step.completedCampaign) {
        expect(again.changed).toBe(true)
        expect(again.completedCampaign).toBe(rules.fulfillments.length === 1)
      } else {
        expect(again.changed).toBe(false)
      }
      progress = step.progress
      expect(new Set(progress.completed).size).toBe(progress.completed.length)
      expect(progress.completed.length).toBeLessThan(rules.fulfillments.length)
      expect(progress.completed.every((id) => rules.fulfillments.includes(id))).toBe(true)
    }
  }))
})

describe("applying a batch", () => {
  test("a fulfillment shared by two campaigns advances both; each completion is reported with its cause", () => {
    const one = campaign("c1", ["a"], ["r1"])
    const two = campaign("c2", ["a", "b"], ["r2", "r3"])
    const result = applyFulfillments([done(1, "a"), done(2, "b")], lookup([one, two]), new Map())
    expect(result.completions.map((c) => [c.cause.eventId, c.campaign.id])).toEqual([["e1", "c1"], ["e2", "c2"]])
    expect(result.changed).toEqual([
      { key: { tenant: "t", userId: "ada", campaignId: "c1" }, progress: { completed: [], completions: 1 } },
      { key: { tenant: "t", userId: "ada", campaignId: "c2" }, progress: { completed: [], completions: 1 } }
    ])
  })

  test("the stored progress is where a batch starts; users and tenants do not share progress", () => {
    const rules = campaign("c", ["a", "b"])
    const stored = new Map([[keyText({ tenant: "t", userId: "ada", campaignId: "c" }), { completed: ["a"], completions: 0 }]])
    const result = applyFulfillments([done(1, "b"), done(2, "b", "bob"), done(3, "b", "ada", "other")], lookup([rules]), stored)
    expect(result.completions.map((c) => c.cause.eventId)).toEqual(["e1"])
    expect(result.changed.map((c) => [c.key.userId, c.progress.completed])).toEqual([["ada", []], ["bob", ["b"]]])
  })

  test("a batch that changes nothing writes nothing", () => {
    const stored = new Map([[keyText({ tenant: "t", userId: "ada", campaignId: "c" }), { completed: ["a"], completions: 0 }]])
    expect(applyFulfillments([done(1, "a"), done(2, "zz")], lookup([campaign("c", ["a", "b"])]), stored)).toEqual({ changed: [], completions: [] })
  })

  test("property: splitting a batch anywhere gives the same completions and the same final progress", () => forAll((g) => {
    const campaigns = Array.from({ length: 1 + g.int(4) }, (_, i) => campaign(`c${i}`, g.shuffle(ids).slice(0, 1 + g.int(3))))
    const events = Array.from({ length: 1 + g.int(30) }, (_, n) => done(n, g.pick(ids), g.pick(["ada", "bob"])))
    const campaignsOf = lookup(campaigns)
    const whole = applyFulfillments(events, campaignsOf, new Map())
    const cut = g.int(events.length + 1)
    const first = applyFulfillments(events.slice(0, cut), campaignsOf, new Map())
    const carried = new Map(first.changed.map((c) => [keyText(c.key), c.progress]))
    const second = applyFulfillments(events.slice(cut), campaignsOf, carried)
    const ends = (...results: ReadonlyArray<typeof whole>) => {
      const state = new Map<string, Progress>()
      for (const result of results) for (const c of result.changed) state.set(keyText(c.key), c.progress)
      return state
    }
    expect([...first.completions, ...second.completions]).toEqual([...whole.completions])
    expect(ends(first, second)).toEqual(ends(whole))
  }))

  test("the touched keys are unique and sorted, whatever the event order", () => {
    const campaigns = [campaign("c2", ["a"]), campaign("c1", ["a", "b"])]
    const keys = touchedKeys([done(1, "b", "zed"), done(2, "a", "ada"), done(3, "a", "zed"), done(4, "x", "bob")], lookup(campaigns))
    expect(keys.map((k) => `${k.userId}/${k.campaignId}`)).toEqual(["ada/c1", "ada/c2", "zed/c1", "zed/c2"])
  })
})

describe("standing", () => {
  test("splits the campaign's fulfillments into done and missing, in the campaign's order, ignoring stale ids", () => {
    expect(standing(["a", "b", "c"], { completed: ["c", "gone", "a"], completions: 4 })).toEqual({ completed: ["a", "c"], missing: ["b"], completions: 4 })
  })
})
