import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { day, type Harness, lifecycleHarness, t0 } from "./harness.ts"

describe("lots: pending points, activation, expiry and spending in expiry order", () => {
  let h: Harness
  beforeAll(async () => {
    h = await lifecycleHarness(["pend", "exp", "fifo"])
    await h.program("pend", { pending_days: 14 })
    await h.program("exp", { points_expire_after: "P30D" })
  })
  afterAll(() => h.close())

  test("a credit inside the pending period is visible but not spendable; the job activates it once, after its date", async () => {
    await h.credit([{ tenant: "pend", userId: "ann", eventId: "p1", points: "100.5", at: t0 }])
    expect(await h.balance("pend", "ann")).toMatchObject({ points: 0, pending: 100.5, lifetime_earned: 100.5 })
    const refused = await h.request("POST", "/user-rewards/ann/redemptions", { tenant: "pend", points: 1, reason: "mug", idempotencyKey: "r1" })
    expect(refused.status).toBe(409)
    expect((await h.job(t0 + 13 * day)).entries).toBe(0)
    const run = await h.job(t0 + 14 * day)
    expect(run.entries).toBe(1)
    expect(run.emitted.map((m) => JSON.parse(m.value))).toMatchObject([{ kind: "activated", points: 100.5, balance: 100.5, pending: 0, lotId: "credit:p1" }])
    expect((await h.job(t0 + 15 * day)).entries).toBe(0)
    expect(await h.balance("pend", "ann")).toMatchObject({ points: 100.5, pending: 0 })
    const ledger = await h.ledger("pend", "ann")
    expect(ledger.map((e) => [e.kind, e.amount, e.pending])).toEqual([["activation", 100.5, -100.5], ["credit", 0, 100.5]])
    expect(ledger[0].lotId).toBe(ledger[1].lotId)
    expect((await h.ledger("pend", "ann", "activation")).map((e) => e.kind)).toEqual(["activation"])
  })

  test("a lot expires exactly its unspent remainder, once, as one expiry entry, with the next expiries on the balance", async () => {
    await h.credit([
      { tenant: "exp", userId: "bo", eventId: "e1", points: "40", at: t0 },
      { tenant: "exp", userId: "bo", eventId: "e2", points: "25.25", at: t0 + 10 * day }
    ])
    expect((await h.balance("exp", "bo")).expiring).toEqual([
      { points: 40, expires_at: new Date(t0 + 30 * day).toISOString() },
      { points: 25.25, expires_at: new Date(t0 + 40 * day).toISOString() }
    ])
    // Spent first from the lot that expires first.
    expect((await h.request("POST", "/user-rewards/bo/redemptions", { tenant: "exp", points: 30.5, reason: "mug", idempotencyKey: "b1" })).status).toBe(201)
    expect((await h.lots("exp", "bo")).map((l) => l.remaining)).toEqual(["9.5000", "25.2500"])
    await h.job(t0 + 30 * day)
    await h.job(t0 + 30 * day)
    expect(await h.balance("exp", "bo")).toMatchObject({ points: 25.25, expiring: [{ points: 25.25 }] })
    const expiries = await h.ledger("exp", "bo", "expiry")
    expect(expiries.map((e) => e.amount)).toEqual([-9.5])
    await h.job(t0 + 41 * day)
    expect((await h.ledger("exp", "bo", "expiry")).map((e) => e.amount)).toEqual([-25.25, -9.5])
    expect(await h.balance("exp", "bo")).toMatchObject({ points: 0, expiring: [] })
  })

  test("redemptions spend the lot that expires first; never-expiring lots last", async () => {
    await h.credit([{ tenant: "fifo", userId: "cy", eventId: "f1", points: "10", at: t0 }])
    await h.program("fifo", { points_expire_after: "P7D" })
    await h.credit([{ tenant: "fifo", userId: "cy", eventId: "f2", points: "10", at: t0 + day }])
    await h.program("fifo", { points_expire_after: "P3D" })
    await h.credit([{ tenant: "fifo", userId: "cy", eventId: "f3", points: "10", at: t0 + 2 * day }])
    expect((await h.request("POST", "/user-rewards/cy/redemptions", { tenant: "fifo", points: 15, reason: "mug", idempotencyKey: "c1" })).status).toBe(201)
    // f3 expires on day 5, f2 on day 8, f1 never.
    expect((await h.lots("fifo", "cy")).map((l) => [l.lot_key, l.remaining])).toEqual([["credit:f1", "10.0000"], ["credit:f2", "5.0000"], ["credit:f3", "0.0000"]])
  })
})
