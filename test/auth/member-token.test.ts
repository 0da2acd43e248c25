import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import type { AnyElysia } from "elysia"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { SigningKeys } from "../../src/actors/user/signing-keys.ts"
import { anonymousApp, request } from "../support/app.ts"
import { accessToken, apiKey, bearer, memberToken } from "../support/credentials.ts"
import { remoteUseCasesRuntime, useCasesRuntime } from "../support/layers.ts"
import { freePort } from "../support/ports.ts"
import { allServices } from "./all-services.ts"
import { tenantA } from "./route-fixtures.ts"

const tenantB = "tenant-b"
// A user id with a space and non-ASCII letters, so the path's encoding is part of what is checked.
const member = "Zoë 7@shop"
const path = (userId: string, rest = "") => `/user-rewards/${encodeURIComponent(userId)}/${rest}`

describe("member tokens", () => {
  let services: Awaited<ReturnType<typeof allServices>>
  let shopKey: Record<string, string>
  const runtimes: Array<{ dispose(): Promise<void> }> = []
  let stopUserServer: (() => void) | undefined

  const mint = (userId: string, body: unknown, headers: Record<string, string>) =>
    request(services.apps.user, "POST", `/members/${encodeURIComponent(userId)}/token`, body, headers)
  const mintedFor = async (userId: string, body: unknown = { ttlSeconds: 600 }) => {
    const response = await mint(userId, body, shopKey)
    expect(response.status).toBe(201)
    return bearer(((await response.json()) as { token: string }).token)
  }
  const setProgram = async (memberRedemption: unknown) => {
    const response = await request(services.apps.reward, "PUT", `/programs/${tenantA}`, { member_redemption: memberRedemption }, services.adminHeaders)
    expect(response.status).toBe(200)
  }
  const credit = async (userId: string, points: number) => {
    const response = await request(services.apps.reward, "POST", path(userId, "adjustments"), { tenant: tenantA, points, reason: "welcome", idempotencyKey: randomUUID() }, services.adminHeaders)
    expect(response.status).toBe(201)
  }
  const redeem = (userId: string, points: number, headers: Record<string, string>, idempotencyKey: string = randomUUID()) =>
    request(services.apps.reward, "POST", path(userId, "redemptions"), { tenant: tenantA, points, reason: "mug", idempotencyKey }, headers)

  beforeAll(async () => {
    services = await allServices()
    shopKey = { "x-api-key": (await apiKey(services.runtime, tenantA, ["members:token"])).key }
  }, 60_000)
  afterAll(async () => {
    stopUserServer?.()
    for (const runtime of runtimes) await runtime.dispose()
    await services?.close()
  })

  test("an API key with members:token mints a token for one user of its tenant, lasting what was asked", async () => {
    const before = Date.now()
    const response = await mint(member, { ttlSeconds: 120 }, shopKey)
    expect(response.status).toBe(201)
    const minted = (await response.json()) as { token: string; expiresAt: string; userId: string; tenant: string }
    expect(minted).toMatchObject({ userId: member, tenant: tenantA })
    const lifetime = Date.parse(minted.expiresAt) - before
    expect(lifetime).toBeGreaterThan(110_000)
    expect(lifetime).toBeLessThanOrEqual(121_000)
    const me = await request(services.apps.user, "GET", "/auth/me", undefined, bearer(minted.token))
    expect(await me.json()).toEqual({ kind: "member", tenant: tenantA, userId: member })
  })

  test("without a body the token lasts 15 minutes; a lifetime out of bounds is a 422 naming ttlSeconds", async () => {
    const response = await request(services.apps.user, "POST", "/members/u5/token", undefined, shopKey)
    expect(response.status).toBe(201)
    const { expiresAt } = (await response.json()) as { expiresAt: string }
    expect(Math.abs(Date.parse(expiresAt) - Date.now() - 900_000)).toBeLessThan(5_000)
    for (const ttlSeconds of [3601, 10, 1.5]) {
      const refused = await mint("u5", { ttlSeconds }, shopKey)
      expect(refused.status).toBe(422)
      expect(JSON.stringify(await refused.json())).toContain("ttlSeconds")
    }
  })

  test("a key without members:token, a viewer, and anyone naming another tenant are refused; the platform admin names the tenant", async () => {
    const readKey = { "x-api-key": (await apiKey(services.runtime, tenantA, ["read", "events:write"])).key }
    expect((await mint("u5", {}, readKey)).status).toBe(403)
    expect((await mint("u5", {}, bearer(await accessToken(services.runtime, "tenant-viewer", tenantA)))).status).toBe(403)
    expect((await mint("u5", { tenant: tenantB }, shopKey)).status).toBe(403)
    expect((await mint("u5", { tenant: tenantA }, bearer(await accessToken(services.runtime, "tenant-admin", tenantB)))).status).toBe(403)
    expect((await mint("u5", {}, services.adminHeaders)).status).toBe(422)
    expect((await mint("u5", { tenant: "no-such-tenant" }, services.adminHeaders)).status).toBe(422)
    const minted = await mint("u5", { tenant: tenantB }, services.adminHeaders)
    expect(minted.status).toBe(201)
    expect(await minted.json()).toMatchObject({ tenant: tenantB, userId: "u5" })
  })

  test("a member reads their own balance, ledger and campaign progress", async () => {
    await credit(member, 40)
    const headers = await mintedFor(member)
    const balance = await request(services.apps.reward, "GET", path(member), undefined, headers)
    expect(balance.status).toBe(200)
    expect(await balance.json()).toMatchObject({ tenant: tenantA, user_id: member, points: 40 })
    const ledger = await request(services.apps.reward, "GET", path(member, "ledger"), undefined, headers)
    expect(ledger.status).toBe(200)
    expect(await ledger.json()).toMatchObject({ tenant: tenantA, userId: member, balance: 40 })
    const fulfillmentId = await services.create("fulfillment", "/buy-fulfillments/", { tenant: tenantA, name: "three loaves", product: "bread", amount: 0, count: 3 }, "fulfillment_id")
    const campaignId = await services.create("campaign", "/campaign", { tenant: tenantA, name: "three loaves", fulfillments: [fulfillmentId], rewards: [randomUUID()] }, "id")
    const progress = await request(services.apps.campaign, "GET", `/campaign/${campaignId}/progress/${encodeURIComponent(member)}`, undefined, headers)
    expect(progress.status).toBe(200)
    const answer = (await progress.json()) as { userId: string; missing: Array<string>; reasons?: Array<{ rule: string }>; goals?: Array<unknown> }
    expect(answer.userId).toBe(member)
    expect(answer.missing).toEqual([fulfillmentId])
    // The campaign service asked the fulfillment service with the member's own token, and was answered.
    expect(answer.reasons?.map((r) => r.rule) ?? []).not.toContain("goals-unavailable")
    expect(answer.goals).toHaveLength(1)
    const goals = await request(services.apps.fulfillment, "GET", `/fulfillment-progress/${encodeURIComponent(member)}`, undefined, headers)
    expect(goals.status).toBe(200)
  })

  test("another user's data, another tenant's, and every operator route are refused to a member", async () => {
    const headers = await mintedFor(member)
    for (const [app, route] of [["reward", path("u1")], ["reward", path("u1", "ledger")], ["fulfillment", "/fulfillment-progress/u1"]] as const) {
      const response = await request(services.apps[app], "GET", route, undefined, headers)
      expect(response.status).toBe(403)
      expect(response.headers.get("content-type")).toStartWith("application/problem+json")
    }
    expect((await redeem("u1", 1, headers)).status).toBe(403)
    // Reads are per tenant: another tenant's balance is not one the member can read (as for any credential of tenant A).
    expect((await request(services.apps.reward, "GET", `${path(member)}?tenant=${tenantB}`, undefined, headers)).status).toBe(422)
    const otherTenant = await request(services.apps.reward, "POST", path(member, "redemptions"), { tenant: tenantB, points: 1, reason: "mug", idempotencyKey: randomUUID() }, headers)
    expect(otherTenant.status).toBe(403)
    for (const [app, method, route] of [["reward", "GET", `/user-rewards/?tenant=${tenantA}`], ["reward", "GET", "/rewards/"], ["campaign", "GET", "/campaign"], ["user", "GET", "/user"], ["reward", "POST", path(member, "adjustments")]] as const) {
      const response = await request(services.apps[app], method, route, method === "POST" ? { tenant: tenantA, points: 5, reason: "x" } : undefined, headers)
      expect(`${method} ${route} → ${response.status}`).toBe(`${method} ${route} → 403`)
    }
    // A member of tenant B is a different member, even with the same user id.
    const inB = bearer(await memberToken(services.runtime, tenantB, member))
    const balanceInB = await request(services.apps.reward, "GET", `${path(member)}?tenant=${tenantA}`, undefined, inB)
    expect(balanceInB.status).toBe(422)
  })

  test("an expired member token is a 401; operator tokens are not member tokens, nor the reverse", async () => {
    const expired = bearer(await memberToken(services.runtime, tenantA, member, { ttlSeconds: 60, issuedAt: new Date(Date.now() - 600_000) }))
    const response = await request(services.apps.reward, "GET", path(member), undefined, expired)
    expect(response.status).toBe(401)
    expect(((await response.json()) as { detail: string }).detail).toContain("expired")
    // A member token has the member audience: the operator verifier refuses it, and vice versa.
    const token = await memberToken(services.runtime, tenantA, member)
    const operator = await accessToken(services.runtime, "tenant-admin", tenantA)
    const asOperator = await services.runtime.runPromise(SigningKeys.use((k) => k.verify(token)).pipe(Effect.flip) as never) as { _tag: string; reason: string }
    expect(asOperator._tag).toBe("Unauthorized")
    const asMember = await services.runtime.runPromise(SigningKeys.use((k) => k.verifyMember(operator)).pipe(Effect.flip) as never) as { _tag: string; reason: string }
    expect(asMember._tag).toBe("Unauthorized")
    expect(asMember.reason).toContain("aud")
    // Through the routes: an operator token on a member route answers as the operator it is, never as a member.
    const me = await request(services.apps.user, "GET", "/auth/me", undefined, bearer(operator))
    expect(((await me.json()) as { kind: string }).kind).toBe("operator")
  })

  test("a member redeems only within the program's limits; operators are not bound by them, replays change nothing", async () => {
    const userId = `redeemer-${randomUUID().slice(0, 8)}`
    await credit(userId, 1000)
    const headers = await mintedFor(userId)
    await setProgram({ enabled: false, max_points_per_redemption: null, max_points_per_day: null })
    const disabled = await redeem(userId, 5, headers)
    expect(disabled.status).toBe(403)
    expect(((await disabled.json()) as { detail: string }).detail).toContain("member_redemption.enabled")

    await setProgram({ enabled: true, max_points_per_redemption: 100, max_points_per_day: 150 })
    const tooMuch = await redeem(userId, 100.5, headers)
    expect(tooMuch.status).toBe(422)
    expect(await tooMuch.json()).toMatchObject({ field: "points" })
    const key = randomUUID()
    expect((await redeem(userId, 100, headers, key)).status).toBe(201)
    expect((await redeem(userId, 100, headers, key)).status).toBe(200)
    const pastDay = await redeem(userId, 50.0001, headers)
    expect(pastDay.status).toBe(409)
    expect(await pastDay.json()).toMatchObject({ error: "MemberRedemptionLimit", limit: "member_redemption.max_points_per_day", allowed: 150, used: 100, requested: 50.0001 })
    // The operator at the counter is not held to the app's limits, and does not use them up.
    expect((await redeem(userId, 500, services.adminHeaders)).status).toBe(201)
    expect((await redeem(userId, 50, headers)).status).toBe(201)
    expect((await redeem(userId, 0.0001, headers)).status).toBe(409)

    const balance = await request(services.apps.reward, "GET", path(userId), undefined, headers)
    expect(await balance.json()).toMatchObject({ points: 350 })
    const ledger = (await (await request(services.apps.reward, "GET", `${path(userId, "ledger")}?kind=redemption`, undefined, headers)).json()) as {
      entries: Array<{ amount: number; actor: { kind: string; id: string } | null }>
    }
    expect(ledger.entries.map((e) => e.actor?.kind)).toEqual(["member", "operator", "member"])
    expect(ledger.entries[0]!.actor).toEqual({ kind: "member", id: userId })
  })

  test("concurrent member redemptions never pass the day's limit together", async () => {
    const userId = `racer-${randomUUID().slice(0, 8)}`
    await credit(userId, 1000)
    const headers = await mintedFor(userId)
    await setProgram({ enabled: true, max_points_per_redemption: null, max_points_per_day: 100 })
    const answers = await Promise.all(Array.from({ length: 6 }, () => redeem(userId, 30, headers)))
    expect(answers.map((a) => a.status).filter((s) => s === 201)).toHaveLength(3)
    expect(answers.map((a) => a.status).filter((s) => s !== 201).every((s) => s === 409 || s === 503)).toBe(true)
    const balance = await request(services.apps.reward, "GET", path(userId), undefined, headers)
    expect(await balance.json()).toMatchObject({ points: 910 })
  })

  test("a process without the user service verifies member tokens with its published keys", async () => {
    const port = await freePort()
    const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: (r) => services.apps.user.handle(r) })
    stopUserServer = () => server.stop(true)
    const runtime = remoteUseCasesRuntime(services.database.url, `http://127.0.0.1:${port}/`, rewardService.useCases as never)
    runtimes.push(runtime)
    const remote: AnyElysia = await anonymousApp(runtime, "reward", rewardService.routes as never)
    const headers = await mintedFor(member)
    expect((await request(remote, "GET", path(member), undefined, headers)).status).toBe(200)
    expect((await request(remote, "GET", path("u1"), undefined, headers)).status).toBe(403)
    expect((await request(remote, "GET", "/rewards/", undefined, headers)).status).toBe(403)
  })

  test("CORS: a configured origin gets its headers and its preflight, on answers and refusals alike; any other origin none", async () => {
    const runtime = useCasesRuntime(services.database.url, rewardService.useCases as never, { corsOrigins: ["https://app.example.com"] })
    runtimes.push(runtime)
    const app: AnyElysia = await anonymousApp(runtime, "reward", rewardService.routes as never)
    const headers = await mintedFor(member)
    const fromApp = { ...headers, origin: "https://app.example.com" }
    const allowed = await request(app, "GET", path(member), undefined, fromApp)
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com")
    expect(allowed.headers.get("vary")).toContain("Origin")
    const refusal = await request(app, "GET", path("u1"), undefined, fromApp)
    expect(refusal.status).toBe(403)
    expect(refusal.headers.get("access-control-allow-origin")).toBe("https://app.example.com")
    const other = await request(app, "GET", path(member), undefined, { ...headers, origin: "https://evil.example.com" })
    expect(other.headers.get("access-control-allow-origin")).toBeNull()
    const preflight = await request(app, "OPTIONS", path(member, "redemptions"), undefined, {
      origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type"
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com")
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization")
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST")
    const refusedPreflight = await request(app, "OPTIONS", path(member, "redemptions"), undefined, { origin: "https://evil.example.com", "access-control-request-method": "POST" })
    expect(refusedPreflight.headers.get("access-control-allow-origin")).toBeNull()
    expect(refusedPreflight.headers.get("access-control-allow-methods")).toBeNull()
    // Without the setting (the default), no origin gets anything.
    const unset = await request(services.apps.reward, "GET", path(member), undefined, fromApp)
    expect(unset.headers.get("access-control-allow-origin")).toBeNull()
  })
})
