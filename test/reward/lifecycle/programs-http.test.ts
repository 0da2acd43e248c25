import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type Harness, lifecycleHarness } from "./harness.ts"

describe("a tenant's points program over HTTP", () => {
  let h: Harness
  beforeAll(async () => {
    h = await lifecycleHarness(["prog", "other"])
  })
  afterAll(() => h.close())

  test("a tenant without a program answers the defaults, today's behaviour, with updated_at null", async () => {
    const response = await h.request("GET", "/programs/prog")
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      tenant: "prog", time_zone: "UTC", pending_days: 0, points_expire_after: null, negative_balance: "allow", tiers: [], tier_window: null,
      member_redemption: { enabled: false, max_points_per_redemption: null, max_points_per_day: null }, updated_at: null
    })
  })

  test("PUT replaces the program, a field left out takes its default, and GET reads it back", async () => {
    const body = { time_zone: "Europe/Berlin", pending_days: 14, points_expire_after: "P365D", negative_balance: "clamp", tiers: [{ name: "gold", min_points: 500, multiplier: 1.5 }], tier_window: "P90D" }
    const saved = await h.program("prog", body)
    expect(saved).toMatchObject({ tenant: "prog", ...body })
    expect(saved.updated_at).toMatch(/^\d{4}-/)
    expect(await (await h.request("GET", "/programs/prog")).json()).toMatchObject(body)
    expect(await h.program("prog", { pending_days: 3 })).toMatchObject({ pending_days: 3, time_zone: "UTC", points_expire_after: null, tiers: [], negative_balance: "allow" })
    await h.program("prog", {})
  })

  test("member redemption limits are saved and read back; left out, members may not redeem", async () => {
    const member_redemption = { enabled: true, max_points_per_redemption: 250.5, max_points_per_day: 1000 }
    expect(await h.program("prog", { member_redemption })).toMatchObject({ member_redemption })
    expect(await (await h.request("GET", "/programs/prog")).json()).toMatchObject({ member_redemption })
    expect(await h.program("prog", {})).toMatchObject({ member_redemption: { enabled: false, max_points_per_redemption: null, max_points_per_day: null } })
  })

  test.each([
    [{ pending_days: -1 }, "pending_days"],
    [{ pending_days: 1.5 }, "pending_days"],
    [{ pending_days: 4000 }, "pending_days"],
    [{ points_expire_after: "P1Y" }, "points_expire_after"],
    [{ points_expire_after: "soon" }, "points_expire_after"],
    [{ tier_window: "P0D" }, "tier_window"],
    [{ negative_balance: "sometimes" }, "negative_balance"],
    [{ member_redemption: { enabled: "yes", max_points_per_redemption: null, max_points_per_day: null } }, "member_redemption.enabled"],
    [{ member_redemption: { enabled: true, max_points_per_redemption: 0, max_points_per_day: null } }, "member_redemption.max_points_per_redemption"],
    [{ member_redemption: { enabled: true, max_points_per_redemption: null, max_points_per_day: 1.00001 } }, "member_redemption.max_points_per_day"],
    [{ member_redemption: { enabled: true } }, "member_redemption.max_points_per_redemption"],
    [{ time_zone: "Mars/Olympus" }, "time_zone"],
    [{ tiers: [{ name: "gold", min_points: -1, multiplier: 1 }] }, "tiers[0].min_points"],
    [{ tiers: [{ name: "gold", min_points: 1, multiplier: 0 }] }, "tiers[0].multiplier"],
    [{ tiers: [{ name: "gold", min_points: 1.00001, multiplier: 1 }] }, "tiers[0].min_points"],
    [{ tiers: [{ name: "gold", min_points: 1, multiplier: 1.00001 }] }, "tiers[0].multiplier"],
    [{ tiers: [{ name: "gold", min_points: 1, multiplier: 1 }, { name: "gold", min_points: 2, multiplier: 2 }] }, "tiers[1].name"],
    [{ tiers: [{ name: "a", min_points: 1, multiplier: 1 }, { name: "b", min_points: 1, multiplier: 2 }] }, "tiers[1].min_points"]
  ])("%j is refused with 422 problem details naming %s", async (body, field) => {
    const response = await h.request("PUT", "/programs/prog", body)
    expect(response.status).toBe(422)
    expect(response.headers.get("content-type")).toContain("application/problem+json")
    expect(await response.json()).toMatchObject({ field, status: 422 })
  })

  test("a tenant that does not exist is a 422 naming tenant; a malformed one too", async () => {
    expect(await (await h.request("PUT", "/programs/nosuch", {})).json()).toMatchObject({ field: "tenant" })
    expect((await h.request("GET", "/programs/bad%20tenant!")).status).toBe(422)
  })
})
