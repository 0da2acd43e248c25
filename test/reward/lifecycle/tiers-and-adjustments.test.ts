import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { AnyElysia } from "elysia"
import { anonymousApp, request, withHeaders } from "../../support/app.ts"
import { type AuthRuntime, headersOf } from "../../support/credentials.ts"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import { day, type Harness, lifecycleHarness, t0 } from "./harness.ts"

describe("tiers from points earned in the window, and adjustments", () => {
  let h: Harness
  let otherTenant: AnyElysia
  let viewer: AnyElysia
  beforeAll(async () => {
    h = await lifecycleHarness(["tier", "adj", "intruder"])
    await h.program("tier", { tiers: [{ name: "silver", min_points: 100, multiplier: 1.5 }, { name: "gold", min_points: 300, multiplier: 2 }], tier_window: "P30D" })
    await h.program("adj", { negative_balance: "clamp" })
    const app = await anonymousApp(h.runtime, "reward", rewardService.routes)
    otherTenant = withHeaders(app, await headersOf(h.runtime as unknown as AuthRuntime, "tenant-admin", "intruder"))
    viewer = withHeaders(app, await headersOf(h.runtime as unknown as AuthRuntime, "tenant-viewer", "adj"))
  })
  afterAll(() => h.close())

  test("an upgrade applies at once and multiplies later credits; a downgrade waits for the window to slide", async () => {
    const first = await h.credit([{ tenant: "tier", userId: "ann", eventId: "t1", points: "100", at: t0 }])
    expect(first.emitted.map((m) => JSON.parse(m.value))).toMatchObject([
      { kind: "credited", points: 100, tier: null },
      { kind: "tier-changed", tier: "silver", previousTier: null, balance: 100 }
    ])
    await h.credit([{ tenant: "tier", userId: "ann", eventId: "t2", points: "100", at: t0 + day }])
    await h.credit([{ tenant: "tier", userId: "ann", eventId: "t3", points: "40", at: t0 + 2 * day }])
    expect(await h.balance("tier", "ann")).toMatchObject({ points: 310, lifetime_earned: 310, tier: "gold" })
    expect((await h.lots("tier", "ann")).map((l) => l.points)).toEqual(["100.0000", "150.0000", "60.0000"])
    // Spending does not lower the tier: it counts points earned, not the balance.
    await h.request("POST", "/user-rewards/ann/redemptions", { tenant: "tier", points: 300, reason: "tv", idempotencyKey: "ann-tv" })
    expect((await h.job(t0 + 29 * day)).emitted).toEqual([])
    const slid = await h.job(t0 + 30 * day + 1)
    expect(slid.emitted.map((m) => JSON.parse(m.value))).toMatchObject([{ kind: "tier-changed", tier: "silver", previousTier: "gold" }])
    await h.credit([{ tenant: "tier", userId: "ann", eventId: "t4", points: "10", at: t0 + 31 * day }])
    expect((await h.lots("tier", "ann")).map((l) => l.points)[3]).toBe("15.0000")
    await h.job(t0 + 31 * day + 1)
    expect(await h.balance("tier", "ann")).toMatchObject({ tier: null, points: 25 })
    expect((await h.job(t0 + 32 * day)).emitted).toEqual([])
  })

  test("an adjustment is made once per idempotency key, from the body or the header, and records who made it", async () => {
    const body = { tenant: "adj", points: 250.5, reason: "goodwill" }
    const made = await h.request("POST", "/user-rewards/bo/adjustments", { ...body, idempotencyKey: "k1" })
    expect(made.status).toBe(201)
    const adjustment = await made.json() as any
    expect(adjustment).toMatchObject({ userId: "bo", points: 250.5, shortfall: 0, balance: 250.5, idempotencyKey: "k1", actor: { kind: "operator" } })
    const again = await h.request("POST", "/user-rewards/bo/adjustments", { ...body, idempotencyKey: "k1" })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(adjustment)
    const viaHeader = await h.request("POST", "/user-rewards/bo/adjustments", body, { "idempotency-key": "k2" })
    expect(viaHeader.status).toBe(201)
    expect((await h.request("POST", "/user-rewards/bo/adjustments", body, { "idempotency-key": "k2" })).status).toBe(200)
    const reused = await h.request("POST", "/user-rewards/bo/adjustments", { ...body, points: 1, idempotencyKey: "k1" })
    expect(reused.status).toBe(409)
    expect(await h.balance("adj", "bo")).toMatchObject({ points: 501 })
    const [entry] = await h.ledger("adj", "bo", "adjustment")
    expect(entry).toMatchObject({ kind: "adjustment", reason: "goodwill", idempotencyKey: "k2", actor: { kind: "operator" } })
  })

  test("20 adjustments with one key at once make one entry", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.request("POST", "/user-rewards/cy/adjustments", { tenant: "adj", points: 5, reason: "race", idempotencyKey: "same" })))
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(19).fill(200), 201])
    expect(await h.balance("adj", "cy")).toMatchObject({ points: 5 })
  })

  test("a negative adjustment under clamp stops at 0 and records the shortfall", async () => {
    await h.request("POST", "/user-rewards/dee/adjustments", { tenant: "adj", points: 10, reason: "start", idempotencyKey: "d1" })
    const taken = await (await h.request("POST", "/user-rewards/dee/adjustments", { tenant: "adj", points: -25, reason: "fraud", idempotencyKey: "d2" })).json()
    expect(taken).toMatchObject({ points: -10, shortfall: 15, balance: 0 })
  })

  test.each([
    [{ tenant: "adj", points: 5, reason: "x" }, {}, "idempotencyKey"],
    [{ tenant: "adj", points: 5, reason: "x", idempotencyKey: "a" }, { "idempotency-key": "b" }, "idempotencyKey"],
    [{ tenant: "adj", points: 0, reason: "x", idempotencyKey: "a" }, {}, "points"],
    [{ tenant: "adj", points: 0.00001, reason: "x", idempotencyKey: "a" }, {}, "points"],
    [{ tenant: "adj", points: 5, idempotencyKey: "a" }, {}, "reason"]
  ])("%j with headers %j is a 422 naming %s", async (body, headers, field) => {
    const response = await h.request("POST", "/user-rewards/eve/adjustments", body, headers)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ field })
  })

  test("another tenant's operator can neither adjust, read the balance, nor read or change the program; a viewer cannot write", async () => {
    expect((await request(otherTenant, "POST", "/user-rewards/bo/adjustments", { tenant: "adj", points: 5, reason: "x", idempotencyKey: "evil" })).status).toBe(403)
    expect((await request(otherTenant, "GET", "/user-rewards/bo/?tenant=adj")).status).toBe(422)
    expect((await request(otherTenant, "GET", "/user-rewards/bo/ledger?tenant=adj")).status).toBe(422)
    expect((await request(otherTenant, "GET", "/programs/adj")).status).toBe(403)
    expect((await request(otherTenant, "PUT", "/programs/adj", { pending_days: 1 })).status).toBe(403)
    expect((await request(viewer, "PUT", "/programs/adj", { pending_days: 1 })).status).toBe(403)
    expect((await request(viewer, "GET", "/programs/adj")).status).toBe(200)
    // What the intruder sees of its own tenant is its own: bo has nothing there.
    expect(await (await request(otherTenant, "GET", "/user-rewards/bo/")).json()).toMatchObject({ tenant: "intruder", points: 0 })
    expect(await h.balance("adj", "bo")).toMatchObject({ points: 501 })
    expect((await h.program("adj", { negative_balance: "clamp" })).pending_days).toBe(0)
  })
})
