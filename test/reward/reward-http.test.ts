import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { AnyElysia } from "elysia"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { RewardUseCases } from "../../src/actors/reward/service.ts"
import type { WebhookUseCases } from "../../src/actors/reward/webhooks/service.ts"
import type { ExportUseCases } from "../../src/actors/reward/exports/service.ts"
import type { OpeningImports } from "../../src/actors/reward/imports/service.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

describe("reward HTTP", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>>
  let app: AnyElysia

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["crud", "literal", "meiwei"])
    app = await appOver(runtime, "reward", rewardService.routes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("the original README body creates a reward, verbatim", async () => {
    const body = { tenant: "meiwei", reward_id: "8f14e45f-ceea-467f-a9b8-2a3f7f6b6a11", reward_points: 100.0 }
    const response = await request(app, "POST", "/rewards/", body)
    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({ tenant: "meiwei", reward_id: body.reward_id, reward_points: 100 })
    const again = await request(app, "POST", "/rewards/", body)
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: "AlreadyExists" })
  })

  test("a reward without reward_id gets a generated one; it can be read, changed, listed and deleted", async () => {
    const created = (await (await request(app, "POST", "/rewards/", { tenant: "crud", reward_points: 12.5, name: "coffee" })).json()) as { reward_id: string }
    expect(created.reward_id).toMatch(/^[0-9a-f-]{36}$/)
    const read = await request(app, "GET", `/rewards/${created.reward_id}/`)
    expect(await read.json()).toMatchObject({ tenant: "crud", reward_points: 12.5, name: "coffee" })
    const changed = await request(app, "PUT", `/rewards/${created.reward_id}/`, { reward_points: 0.1 })
    expect(changed.status).toBe(200)
    expect(await changed.json()).toMatchObject({ reward_points: 0.1, name: "coffee" })
    const list = (await (await request(app, "GET", "/rewards/?tenant=crud")).json()) as Array<unknown>
    expect(list).toHaveLength(1)
    expect((await request(app, "DELETE", `/rewards/${created.reward_id}/`)).status).toBe(204)
    expect((await request(app, "GET", `/rewards/${created.reward_id}/`)).status).toBe(404)
    expect((await request(app, "DELETE", `/rewards/${created.reward_id}/`)).status).toBe(404)
  })

  test.each([
    [{ reward_points: 1 }, "tenant"],
    [{ tenant: "meiwei" }, "reward_points"],
    [{ tenant: "meiwei", reward_points: "100" }, "reward_points"],
    [{ tenant: "meiwei", reward_points: -5 }, "reward_points"],
    [{ tenant: "meiwei", reward_points: 0.00001 }, "reward_points"],
    [{ tenant: "meiwei", reward_points: 1, reward_id: "not-a-uuid" }, "reward_id"],
    [{ tenant: "bad tenant!", reward_points: 1 }, "tenant"]
  ])("invalid body %p is refused with 422 naming %s", async (body, field) => {
    const response = await request(app, "POST", "/rewards/", body)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ error: "ValidationError", field })
  })

  test.each([
    ["1e30", "reward_points: must be at most 1000000000"],
    ["1e21", "reward_points: must be at most 1000000000"],
    ["1e-7", "reward_points: must have at most 4 decimal places"]
  ])("reward_points %s is refused for the right reason", async (points, message) => {
    const response = await request(app, "POST", "/rewards/", `{"tenant":"meiwei","reward_points":${points}}`)
    expect(response.status).toBe(422)
    const answer = (await response.json()) as { message: string; details: Array<unknown> }
    expect(answer.message).toBe(message)
    expect(answer.details).toHaveLength(1)
  })

  test("malformed JSON is a 400, and a bad id in the path is a 422 naming it", async () => {
    expect((await request(app, "POST", "/rewards/", "{not json")).status).toBe(400)
    const response = await request(app, "GET", "/rewards/42/")
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ field: "rewardId" })
  })

  test("text fields are stored literally: SQL in a name is just a name", async () => {
    const name = "x'); drop table reward.rewards; --"
    const created = (await (await request(app, "POST", "/rewards/", { tenant: "literal", reward_points: 1, name })).json()) as { reward_id: string }
    const read = (await (await request(app, "GET", `/rewards/${created.reward_id}/`)).json()) as { name: string }
    expect(read.name).toBe(name)
    expect((await request(app, "GET", "/rewards/")).status).toBe(200)
  })

  test("a user's balance needs a tenant and is 0 before anything is earned", async () => {
    const missing = await request(app, "GET", "/user-rewards/someone/")
    expect(missing.status).toBe(422)
    expect(await missing.json()).toMatchObject({ field: "tenant" })
    const zero = await request(app, "GET", "/user-rewards/someone/?tenant=meiwei")
    expect(await zero.json()).toEqual({ tenant: "meiwei", user_id: "someone", points: 0, pending: 0, lifetime_earned: 0, tier: null, expiring: [] })
  })

  test.each(["9999999999999999999", "9223372036854775808", "-1", "1.5", "abc"])("a ledger page before %s is a 422 naming before", async (before) => {
    const response = await request(app, "GET", `/user-rewards/someone/ledger?tenant=meiwei&before=${before}`)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ error: "ValidationError", field: "before" })
  })

  test("the largest ledger id is a valid page boundary", async () => {
    const response = await request(app, "GET", "/user-rewards/someone/ledger?tenant=meiwei&before=9223372036854775807")
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ entries: [], nextBefore: null })
  })
})
