import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { reversalHandler } from "../../../src/actors/reward/actor.ts"
import { processBatch } from "../../../src/kafka/batch-processor.ts"
import { rawMessages } from "../../support/messages.ts"
import { day, type Harness, lifecycleHarness, t0 } from "./harness.ts"

describe("reversals (reward-revoked)", () => {
  let h: Harness
  beforeAll(async () => {
    h = await lifecycleHarness(["allow", "clamp", "pend", "held", "tiers", "race"])
    await h.program("clamp", { negative_balance: "clamp" })
    await h.program("pend", { pending_days: 14 })
    await h.program("tiers", { tiers: [{ name: "gold", min_points: 100, multiplier: 2 }] })
  })
  afterAll(() => h.close())

  test("a reversal of spent points takes the balance below zero under allow; later credits pay it back first", async () => {
    await h.credit([{ tenant: "allow", userId: "ann", eventId: "c1", points: "50", at: t0 }])
    await h.request("POST", "/user-rewards/ann/redemptions", { tenant: "allow", points: 40, reason: "mug", idempotencyKey: "a1" })
    const outcome = await h.revoke([{ tenant: "allow", userId: "ann", eventId: "r1", rewardEventId: "c1", at: t0 + 1000 }])
    expect(outcome.emitted.map((m) => JSON.parse(m.value))).toMatchObject([{ kind: "reversed", points: -50, balance: -40, causeEventId: "refund-of-r1" }])
    expect(await h.balance("allow", "ann")).toMatchObject({ points: -40, lifetime_earned: 0 })
    await h.credit([{ tenant: "allow", userId: "ann", eventId: "c2", points: "100", at: t0 + 2000 }])
    expect(await h.balance("allow", "ann")).toMatchObject({ points: 60 })
    expect((await h.lots("allow", "ann")).map((l) => l.remaining)).toEqual(["0.0000", "60.0000"])
    const [reversal] = await h.ledger("allow", "ann", "reversal")
    expect(reversal).toMatchObject({ amount: -50, shortfall: 0, eventId: "r1", causeEventId: "refund-of-r1", balanceAfter: -40 })
  })

  test("under clamp the balance stops at 0 and the entry records the shortfall", async () => {
    await h.credit([{ tenant: "clamp", userId: "bo", eventId: "c1", points: "50", at: t0 }])
    await h.request("POST", "/user-rewards/bo/redemptions", { tenant: "clamp", points: 40, reason: "mug", idempotencyKey: "b1" })
    await h.revoke([{ tenant: "clamp", userId: "bo", eventId: "r1", rewardEventId: "c1", at: t0 + 1000 }])
    expect(await h.balance("clamp", "bo")).toMatchObject({ points: 0 })
    expect((await h.ledger("clamp", "bo", "reversal"))[0]).toMatchObject({ amount: -10, shortfall: 40 })
  })

  test("partial reversals never take back more than the credit, and a replay changes nothing", async () => {
    await h.credit([{ tenant: "allow", userId: "cy", eventId: "cy-c1", points: "30", at: t0 }])
    await h.revoke([
      { tenant: "allow", userId: "cy", eventId: "cy-r1", rewardEventId: "cy-c1", points: "20", at: t0 + 1 },
      { tenant: "allow", userId: "cy", eventId: "cy-r2", rewardEventId: "cy-c1", points: "20", at: t0 + 2 }
    ])
    const replay = await h.revoke([{ tenant: "allow", userId: "cy", eventId: "cy-r2", rewardEventId: "cy-c1", points: "20", at: t0 + 2 }])
    expect(replay).toMatchObject({ applied: 0, duplicates: 1 })
    expect((await h.ledger("allow", "cy", "reversal")).map((e) => e.amount)).toEqual([-10, -20])
    expect(await h.balance("allow", "cy")).toMatchObject({ points: 0, lifetime_earned: 0 })
  })

  test("a reversal inside the pending period takes back pending points only", async () => {
    await h.credit([
      { tenant: "pend", userId: "dee", eventId: "c1", points: "30", at: t0 - 20 * day },
      { tenant: "pend", userId: "dee", eventId: "c2", points: "70", at: t0 }
    ])
    await h.job(t0)
    expect(await h.balance("pend", "dee")).toMatchObject({ points: 30, pending: 70 })
    await h.revoke([{ tenant: "pend", userId: "dee", eventId: "r1", rewardEventId: "c2", points: "50", at: t0 + 1 }])
    expect(await h.balance("pend", "dee")).toMatchObject({ points: 30, pending: 20 })
    expect((await h.ledger("pend", "dee", "reversal"))[0]).toMatchObject({ amount: 0, pending: -50 })
    await h.job(t0 + 15 * day)
    expect(await h.balance("pend", "dee")).toMatchObject({ points: 50, pending: 0 })
  })

  test("a reversal that arrives before its credit is held, then applied when the credit arrives, once", async () => {
    const early = await h.revoke([{ tenant: "held", userId: "eve", eventId: "r1", rewardEventId: "c1", points: "5", at: t0 }])
    expect(early).toMatchObject({ applied: 1, emitted: [] })
    expect(await h.balance("held", "eve")).toMatchObject({ points: 0 })
    const credited = await h.credit([{ tenant: "held", userId: "eve", eventId: "c1", points: "12", at: t0 - 1000 }])
    expect(credited.emitted.map((m) => JSON.parse(m.value).kind)).toEqual(["credited", "reversed"])
    expect(await h.balance("held", "eve")).toMatchObject({ points: 7, lifetime_earned: 7 })
    await h.credit([{ tenant: "held", userId: "eve", eventId: "c1", points: "12", at: t0 - 1000 }])
    await h.revoke([{ tenant: "held", userId: "eve", eventId: "r1", rewardEventId: "c1", points: "5", at: t0 }])
    expect(await h.balance("held", "eve")).toMatchObject({ points: 7 })
    // Another tenant's credit is not this tenant's reversal's, whatever its id.
    await h.credit([{ tenant: "clamp", userId: "eve", eventId: "eve-c1", points: "12", at: t0 }])
    expect(await h.balance("clamp", "eve")).toMatchObject({ points: 12 })
    await h.credit([{ tenant: "allow", userId: "eve", eventId: "c1-eve", points: "12", at: t0 }])
    expect(await h.balance("allow", "eve")).toMatchObject({ points: 12 })
  })

  test("a reversal takes back the points with the multiplier the credit had", async () => {
    await h.credit([{ tenant: "tiers", userId: "fay", eventId: "c1", points: "100", at: t0 }])
    await h.credit([{ tenant: "tiers", userId: "fay", eventId: "c2", points: "10", at: t0 + 1 }])
    expect(await h.balance("tiers", "fay")).toMatchObject({ points: 120, tier: "gold" })
    await h.revoke([{ tenant: "tiers", userId: "fay", eventId: "r1", rewardEventId: "c2", points: "4", at: t0 + 2 }])
    expect(await h.balance("tiers", "fay")).toMatchObject({ points: 112 })
  })

  test("a reversal never crosses tenants: naming another tenant's credit id, it waits for a credit of its own tenant", async () => {
    await h.credit([{ tenant: "allow", userId: "hal", eventId: "hal-c1", points: "9", at: t0 }])
    await h.revoke([{ tenant: "clamp", userId: "hal", eventId: "hal-r1", rewardEventId: "hal-c1", at: t0 + 1 }])
    expect(await h.balance("allow", "hal")).toMatchObject({ points: 9 })
    expect((await h.ledger("allow", "hal", "reversal"))).toEqual([])
    const [held] = await (await h.sql())<Array<{ tenant: string }>>`select tenant from reward.held_reversals where event_id = 'hal-r1'`
    expect(held).toEqual({ tenant: "clamp" })
  })

  test("a reversal naming another user's credit is dead-lettered with the reason, and takes nothing", async () => {
    await h.credit([{ tenant: "allow", userId: "ivy", eventId: "ivy-c1", points: "9", at: t0 }])
    const outcome = await h.revoke([{ tenant: "allow", userId: "jon", eventId: "jon-r1", rewardEventId: "ivy-c1", at: t0 + 1 }])
    expect(outcome.emitted.map((m) => [m.topic, JSON.parse(m.value).error])).toEqual([["reward-revoked.dlq", "reward event ivy-c1 credited another user, not jon"]])
    expect(await h.balance("allow", "ivy")).toMatchObject({ points: 9 })
  })

  test("a reward-revoked without the credit it names is dead-lettered naming rewardEventId; the rest of the batch applies", async () => {
    await h.credit([{ tenant: "allow", userId: "kim", eventId: "kim-c1", points: "9", at: t0 }])
    const base = { tenant: "allow", rewardId: "8b0f7f4e-9c3a-4b7e-8f00-000000000001", userId: "kim", campaignId: "77777777-7777-4777-8777-777777777777", causeEventId: "refund-1", occurredAt: new Date(t0).toISOString() }
    const outcome = await h.runtime.runPromise(processBatch("reward", reversalHandler, rawMessages("reward-revoked", [
      { ...base, eventId: "kim-bad" },
      { ...base, eventId: "kim-good", rewardEventId: "kim-c1", points: "4" }
    ], { firstOffset: 900 })))
    expect(outcome).toMatchObject({ applied: 1, deadLettered: 1 })
    expect(outcome.emitted.find((m) => m.topic === "reward-revoked.dlq")!.value).toContain("rewardEventId")
    expect(await h.balance("allow", "kim")).toMatchObject({ points: 5 })
  })

  test("a reversal with points 0 is dead-lettered with the reason", async () => {
    const outcome = await h.revoke([{ tenant: "allow", userId: "gus", eventId: "r0", rewardEventId: "c1", points: "0", at: t0 }])
    expect(outcome.emitted).toHaveLength(1)
    expect(outcome.emitted[0]!.topic).toBe("reward-revoked.dlq")
    expect(outcome.emitted[0]!.value).toContain("points must be greater than 0")
  })

  test("a credit and its reversal handled at the same time in two transactions never miss each other", async () => {
    for (let round = 0; round < 12; round++) {
      const userId = `racer-${round}`
      await Promise.all([
        h.credit([{ tenant: "race", userId, eventId: `race-c${round}`, points: "10", at: t0 }]),
        h.revoke([{ tenant: "race", userId, eventId: `race-r${round}`, rewardEventId: `race-c${round}`, at: t0 + 1 }])
      ])
      // Whichever committed first, the reversal is applied once and not left waiting.
      expect(`${userId} ${(await h.balance("race", userId)).points}`).toBe(`${userId} 0`)
    }
    expect([...(await (await h.sql())`select count(*)::int as n from reward.held_reversals where tenant = 'race'`)]).toEqual([{ n: 0 }])
  })
})
