import type { PointsLifecycle } from "../../../src/actors/reward/lifecycle/service.ts"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { AnyElysia } from "elysia"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import type { RewardUseCases } from "../../../src/actors/reward/service.ts"
import type { WebhookUseCases } from "../../../src/actors/reward/webhooks/service.ts"
import type { ExportUseCases } from "../../../src/actors/reward/exports/service.ts"
import type { OpeningImports } from "../../../src/actors/reward/imports/service.ts"
import type { TenantDirectory } from "../../../src/tenants/directory.ts"
import { anonymousApp, appOver, request, withHeaders } from "../../support/app.ts"
import { type AuthRuntime, headersOf } from "../../support/credentials.ts"
import { testConfig, useCasesRuntime } from "../../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { registerTenantsIn } from "../../support/tenants.ts"

const hook = (tenant: string, extra: Record<string, unknown> = {}) => ({ tenant, url: "https://hooks.example.com/loyaltea", events: ["credited", "campaign-completed"], ...extra })

describe("webhook endpoints over HTTP", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>>
  let strict: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>>
  let app: AnyElysia
  let strictApp: AnyElysia

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    strict = useCasesRuntime(database.url, rewardService.useCases, { webhooks: { ...testConfig().webhooks, allowPrivate: false } })
    await registerTenantsIn(runtime, ["hooks-a", "hooks-b", "hooks-pages"])
    app = await appOver(runtime, "reward", rewardService.routes)
    strictApp = await appOver(strict, "reward", rewardService.routes)
  })
  afterAll(async () => {
    await runtime?.dispose()
    await strict?.dispose()
    await database?.drop()
  })

  test("an endpoint is created with a secret shown once, read, replaced, rotated and deleted", async () => {
    const response = await request(app, "POST", "/webhooks", hook("hooks-a", { description: "crm" }))
    expect(response.status).toBe(201)
    const created = (await response.json()) as { id: string; secret: string; secrets: Array<{ id: string }>; enabled: boolean }
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    expect(created.enabled).toBe(true)
    expect(created.secrets).toHaveLength(1)

    const read = (await (await request(app, "GET", `/webhooks/${created.id}`)).json()) as Record<string, unknown>
    expect(read).toMatchObject({ tenant: "hooks-a", url: "https://hooks.example.com/loyaltea", events: ["credited", "campaign-completed"], description: "crm" })
    expect(JSON.stringify(read)).not.toContain(created.secret)

    const replaced = await request(app, "PUT", `/webhooks/${created.id}`, { url: "https://other.example.com/h", events: ["redeemed"], enabled: false })
    expect(replaced.status).toBe(200)
    expect(await replaced.json()).toMatchObject({ url: "https://other.example.com/h", events: ["redeemed"], enabled: false, description: "crm" })

    const second = await request(app, "POST", `/webhooks/${created.id}/secrets`)
    expect(second.status).toBe(201)
    const third = (await (await request(app, "POST", `/webhooks/${created.id}/secrets`)).json()) as { id: string }
    const secrets = ((await (await request(app, "GET", `/webhooks/${created.id}`)).json()) as { secrets: Array<{ id: string }> }).secrets
    // At most two active: the oldest was retired by the second rotation.
    expect(secrets.map((s) => s.id)).toEqual([third.id, ((await second.json()) as { id: string }).id])
    expect((await request(app, "DELETE", `/webhooks/${created.id}/secrets/${secrets[1]!.id}`)).status).toBe(204)
    const last = await request(app, "DELETE", `/webhooks/${created.id}/secrets/${third.id}`)
    expect(last.status).toBe(409)
    expect(last.headers.get("content-type")).toContain("application/problem+json")

    expect((await request(app, "GET", "/webhooks?tenant=hooks-a")).status).toBe(200)
    expect((await request(app, "DELETE", `/webhooks/${created.id}`)).status).toBe(204)
    expect((await request(app, "GET", `/webhooks/${created.id}`)).status).toBe(404)
  })

  test.each([
    [{ tenant: "hooks-a", events: ["credited"] }, "url"],
    [hook("hooks-a", { url: "ftp://files.example.com/x" }), "url"],
    [hook("hooks-a", { url: "not a url" }), "url"],
    [hook("hooks-a", { url: "https://user:pw@hooks.example.com/x" }), "url"],
    [hook("hooks-a", { events: [] }), "events"],
    [hook("hooks-a", { events: ["credited", "credited"] }), "events"],
    [hook("hooks-a", { events: ["paid"] }), "events[0]"],
    [hook("hooks-a", { enabled: "yes" }), "enabled"],
    [{ url: "https://hooks.example.com/x", events: ["credited"] }, "tenant"]
  ])("a bad endpoint %p is refused with 422 naming %s", async (body, field) => {
    const response = await request(app, "POST", "/webhooks", body)
    expect(response.status).toBe(422)
    const problem = (await response.json()) as { field?: string; details?: Array<{ field: string }> }
    expect([problem.field, ...(problem.details ?? []).map((d) => d.field)]).toContain(field)
  })

  test.each(["http://127.0.0.1:8080/h", "http://localhost/h", "http://[::1]/h", "http://169.254.169.254/latest", "http://10.1.2.3/h", "http://[::ffff:192.168.0.1]/h", "http://[fe80::1]/h"])(
    "without LOYALTEA_WEBHOOK_ALLOW_PRIVATE, %s is refused with 422 on url",
    async (url) => {
      const response = await request(strictApp, "POST", "/webhooks", hook("hooks-a", { url }))
      expect(response.status).toBe(422)
      expect(await response.json()).toMatchObject({ field: "url" })
    }
  )

  test("another tenant's operator sees none of tenant A's endpoints and can change none of them", async () => {
    const created = (await (await request(app, "POST", "/webhooks", hook("hooks-a"))).json()) as { id: string }
    const b = withHeaders(await anonymousApp(runtime, "reward", rewardService.routes), await headersOf(runtime as unknown as AuthRuntime, "tenant-admin", "hooks-b"))
    expect((await request(b, "GET", `/webhooks/${created.id}`)).status).toBe(404)
    expect(await (await request(b, "GET", "/webhooks?tenant=hooks-a")).json()).toEqual({ items: [], nextCursor: null })
    expect(((await (await request(b, "GET", "/webhooks")).json()) as { items: Array<unknown> }).items.length).toBe(0)
    expect((await request(b, "PUT", `/webhooks/${created.id}`, { url: "https://evil.example.com/", events: ["credited"], enabled: true })).status).toBe(404)
    expect((await request(b, "POST", `/webhooks/${created.id}/secrets`)).status).toBe(404)
    expect((await request(b, "GET", `/webhooks/${created.id}/deliveries`)).status).toBe(404)
    expect((await request(b, "DELETE", `/webhooks/${created.id}`)).status).toBe(404)
    expect((await request(b, "POST", "/webhooks", hook("hooks-a"))).status).toBe(403)
    expect((await request(app, "GET", `/webhooks/${created.id}`)).status).toBe(200)
  })

  test("the list is walked a page at a time with nextCursor: every endpoint once, in creation order, and a foreign cursor is refused", async () => {
    const created: Array<string> = []
    for (let i = 0; i < 5; i++) created.push(((await (await request(app, "POST", "/webhooks", hook("hooks-pages"))).json()) as { id: string }).id)
    const seen: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const response = await request(app, "GET", `/webhooks?tenant=hooks-pages&limit=2${cursor ? `&cursor=${cursor}` : ""}`)
      expect(response.status).toBe(200)
      const page = (await response.json()) as { items: Array<{ id: string }>; nextCursor: string | null }
      seen.push(...page.items.map((item) => item.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(seen).toEqual(created)
    expect(pages).toBe(3)

    // A deliveries cursor (an id) is no cursor of this route, and text that decodes to nothing is none either.
    const deliveriesCursor = Buffer.from(JSON.stringify(["42"])).toString("base64url")
    for (const bad of [deliveriesCursor, "not-a-cursor!", Buffer.from("{\"a\":1}").toString("base64url")]) {
      const refused = await request(app, "GET", `/webhooks?cursor=${encodeURIComponent(bad)}`)
      expect(refused.status).toBe(422)
      expect(await refused.json()).toMatchObject({ field: "cursor" })
    }

    // A cursor made from this tenant's rows shows another tenant nothing of them.
    const first = (await (await request(app, "GET", "/webhooks?tenant=hooks-pages&limit=1")).json()) as { nextCursor: string }
    const b = withHeaders(await anonymousApp(runtime, "reward", rewardService.routes), await headersOf(runtime as unknown as AuthRuntime, "tenant-admin", "hooks-b"))
    const crossed = (await (await request(b, "GET", `/webhooks?cursor=${first.nextCursor}`)).json()) as { items: Array<{ tenant: string }> }
    expect(crossed.items.every((item) => item.tenant === "hooks-b")).toBe(true)
  })
})
