import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { generateKeyPair, SignJWT } from "jose"
import { accessLevels, type Access } from "../../src/auth/access-policy.ts"
import { memberTokenAudience, tokenAudience, tokenIssuer } from "../../src/auth/principal.ts"
import { request } from "../support/app.ts"
import { accessToken, apiKey, bearer, memberToken } from "../support/credentials.ts"
import { allServices, type Route } from "./all-services.ts"
import { type Call, fixtures, tenantA } from "./route-fixtures.ts"

/** "public": the caller's credential plays no part (a 401 there is about the body, e.g. a wrong password). */
type Outcome = "allowed" | "public" | 401 | 403

/** What each kind of caller must get from a route of each access level (tenant A's data). */
const refused = { any: 401, read: 401, member: 401, redeem: 401, write: 401, events: 401, "member-token": 401, operator: 401, admin: 401 } as const
const expectations: Record<string, Record<Access, Outcome>> = {
  "no credential": { public: "public", ...refused },
  "expired token": { public: "public", ...refused },
  "expired member token": { public: "public", ...refused },
  "token signed by another key": { public: "public", ...refused },
  "member token signed by another key": { public: "public", ...refused },
  "revoked API key": { public: "public", ...refused },
  "viewer": { public: "public", any: "allowed", read: "allowed", member: "allowed", redeem: 403, write: 403, events: 403, "member-token": 403, operator: "allowed", admin: 403 },
  "tenant admin": {
    public: "public", any: "allowed", read: "allowed", member: "allowed", redeem: "allowed", write: "allowed", events: "allowed", "member-token": "allowed", operator: "allowed", admin: 403
  },
  "API key (read, events:write)": {
    public: "public", any: "allowed", read: "allowed", member: "allowed", redeem: 403, write: 403, events: "allowed", "member-token": 403, operator: 403, admin: 403
  },
  "API key (members:token)": { public: "public", any: "allowed", read: 403, member: 403, redeem: 403, write: 403, events: 403, "member-token": "allowed", operator: 403, admin: 403 },
  // The fixtures are about user u1: the member's own data, in a program that lets members redeem.
  "member u1": { public: "public", any: "allowed", read: 403, member: "allowed", redeem: "allowed", write: 403, events: 403, "member-token": 403, operator: 403, admin: 403 },
  // Another user's member token reaches nothing of u1's, even on the member routes.
  "member u2": { public: "public", any: "allowed", read: 403, member: 403, redeem: 403, write: 403, events: 403, "member-token": 403, operator: 403, admin: 403 },
  "platform admin": {
    public: "public", any: "allowed", read: "allowed", member: "allowed", redeem: "allowed", write: "allowed", events: "allowed", "member-token": "allowed", operator: "allowed", admin: "allowed"
  }
}

/** Whether any object in the JSON answer belongs to `tenant` (a read must never show another tenant's rows). */
const mentionsTenant = (value: unknown, tenant: string): boolean =>
  Array.isArray(value) ? value.some((v) => mentionsTenant(v, tenant))
  : value !== null && typeof value === "object"
  ? Object.entries(value).some(([key, v]) => (key === "tenant" && v === tenant) || mentionsTenant(v, tenant))
  : false

describe("authorization of every route of every service", () => {
  let services: Awaited<ReturnType<typeof allServices>>
  let routes: ReadonlyArray<Route>
  const credentials: Record<string, Record<string, string>> = {}

  const send = (route: Route, call: Call, headers: Record<string, string>) =>
    request(services.apps[route.service], route.method.toUpperCase(), call.path, call.body, { ...call.headers, ...headers })
  const create = (service: string, path: string, body: unknown, idField: string) => services.create(service, path, body, idField)

  beforeAll(async () => {
    services = await allServices()
    routes = services.routes
    const runtime = services.runtime
    const other = await generateKeyPair("EdDSA", { crv: "Ed25519" })
    const revoked = await apiKey(runtime, tenantA, ["read", "events:write"])
    await request(services.apps.user, "DELETE", `/api-keys/${revoked.id}`, undefined, services.adminHeaders)
    credentials["no credential"] = {}
    credentials["expired token"] = bearer(await accessToken(runtime, "tenant-admin", tenantA, new Date(Date.now() - 3600_000)))
    credentials["token signed by another key"] = bearer(
      await new SignJWT({ username: "mallory", role: "admin", tenant: null }).setProtectedHeader({ alg: "EdDSA", kid: "someone-else" })
        .setSubject("mallory").setIssuer(tokenIssuer).setAudience(tokenAudience).setIssuedAt().setExpirationTime("15m").setJti("j").sign(other.privateKey)
    )
    credentials["revoked API key"] = { "x-api-key": revoked.key }
    credentials["expired member token"] = bearer(await memberToken(runtime, tenantA, "u1", { ttlSeconds: 60, issuedAt: new Date(Date.now() - 3600_000) }))
    credentials["member token signed by another key"] = bearer(
      await new SignJWT({ tenant: tenantA }).setProtectedHeader({ alg: "EdDSA", kid: "someone-else" })
        .setSubject("u1").setIssuer(tokenIssuer).setAudience(memberTokenAudience).setIssuedAt().setExpirationTime("15m").setJti("j").sign(other.privateKey)
    )
    credentials["API key (members:token)"] = { "x-api-key": (await apiKey(runtime, tenantA, ["members:token"])).key }
    credentials["member u1"] = bearer(await memberToken(runtime, tenantA, "u1"))
    credentials["member u2"] = bearer(await memberToken(runtime, tenantA, "u2"))
    credentials["viewer"] = bearer(await accessToken(runtime, "tenant-viewer", tenantA))
    credentials["tenant admin"] = bearer(await accessToken(runtime, "tenant-admin", tenantA))
    credentials["API key (read, events:write)"] = { "x-api-key": (await apiKey(runtime, tenantA, ["read", "events:write"])).key }
    credentials["platform admin"] = services.adminHeaders
    credentials["wrong tenant"] = bearer(await accessToken(runtime, "tenant-admin", "tenant-b"))
    credentials["another tenant's API key"] = { "x-api-key": (await apiKey(runtime, "tenant-b", ["read", "events:write"])).key }
  }, 60_000)
  afterAll(async () => {
    await services?.close()
  })

  test("the OpenAPI documents list every route, and every route declares an access rule and has a case here", () => {
    expect(routes.length).toBeGreaterThan(45)
    expect(routes.filter((r) => r.access === undefined || !accessLevels.includes(r.access)).map((r) => `${r.method} ${r.path}`)).toEqual([])
    expect(routes.filter((r) => !fixtures[`${r.method} ${r.path}`]).map((r) => `${r.method} ${r.path}`)).toEqual([])
  })

  for (const caller of Object.keys(expectations)) {
    test(`${caller}: every route answers as its access level says`, async () => {
      // Other callers' PUT /programs/{tenant} put the default program back, in which members may not redeem.
      if (caller.startsWith("member")) {
        const program = await request(services.apps.reward, "PUT", `/programs/${tenantA}`, { member_redemption: { enabled: true, max_points_per_redemption: null, max_points_per_day: null } }, services.adminHeaders)
        expect(program.status).toBe(200)
      }
      const wrong: Array<string> = []
      for (const route of routes) {
        const expected = expectations[caller]![route.access!]
        const call = await fixtures[`${route.method} ${route.path}`]!(create)
        const response = await send(route, call, credentials[caller]!)
        const ok = expected === "allowed"
          ? response.status < 500 && response.status !== 401 && response.status !== 403
          : expected === "public"
          ? response.status < 500 && response.status !== 403
          : response.status === expected
        if (!ok) wrong.push(`${route.method.toUpperCase()} ${call.path} (${route.access}) → ${response.status}, expected ${expected}: ${(await response.text()).slice(0, 120)}`)
      }
      expect(wrong).toEqual([])
    }, 60_000)
  }

  test.each(["wrong tenant", "another tenant's API key"])("%s touching tenant A's data: writes by id find nothing (404), writes naming tenant A are refused (403), reads never show A's rows", async (caller) => {
    const wrong: Array<string> = []
    const allowed = (access: Access | undefined) => decideFor(caller, access)
    for (const route of routes.filter((r) => r.access !== "public" && r.access !== "admin" && allowed(r.access))) {
      const call = await fixtures[`${route.method} ${route.path}`]!(create)
      const response = await send(route, call, credentials[caller]!)
      const text = await response.text()
      const isRead = route.method === "get"
      if (isRead) {
        const body = text ? JSON.parse(text) : undefined
        if (response.status >= 500 || mentionsTenant(body, tenantA)) wrong.push(`GET ${call.path} → ${response.status} shows tenant A: ${text.slice(0, 120)}`)
      } else if (route.path !== "/auth/me") {
        // A row of tenant A addressed by id is, to tenant B, a row that does not exist.
        const expected = byId(route) ? 404 : 403
        if (response.status !== expected) wrong.push(`${route.method.toUpperCase()} ${call.path} → ${response.status}, expected ${expected}: ${text.slice(0, 120)}`)
      }
    }
    expect(wrong).toEqual([])
  }, 60_000)

  test("event ingestion with a tenant's API key is accepted; the same events with another tenant's key are refused", async () => {
    const events = [{ tenant: tenantA, product: "bread", amount: 120, userId: "u9", eventId: "u9-purchase" }]
    const accepted = await request(services.apps.fulfillment, "POST", "/events/buy", events, credentials["API key (read, events:write)"]!)
    expect(accepted.status).toBe(202)
    const refused = await request(services.apps.fulfillment, "POST", "/events/buy", events, credentials["another tenant's API key"]!)
    expect(refused.status).toBe(403)
  })
})

/** A write that names its row by id in the path (PUT, PATCH, DELETE): the tenant is the row's, not the caller's to name. */
// A user id is not a row: the same user exists in every tenant, so a write naming one is judged by the
// tenant it names; a path naming the tenant itself (`/programs/{tenant}`) is a write naming tenant A.
const namesARow = (path: string) => /\{(?!userId\}|tenant\})[A-Za-z]+\}/.test(path)
const byId = (route: Route) =>
  ((route.method === "put" || route.method === "patch" || route.method === "delete") && namesARow(route.path)) || (route.method === "post" && namesARow(route.path))

/** Which routes a tenant-B credential gets past the role check on (the tenant check is what is tested). */
const decideFor = (caller: string, access: Access | undefined) =>
  caller === "wrong tenant" ? access !== "admin" : access === "read" || access === "member" || access === "events" || access === "any"
