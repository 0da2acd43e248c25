import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Layer } from "effect"
import type { AnyElysia } from "elysia"
import { progressHandler } from "../../src/actors/campaign/actor.ts"
import { CampaignIndex } from "../../src/actors/campaign/campaign-index.ts"
import { campaignService } from "../../src/actors/campaign/definition.ts"
import { CampaignUseCases } from "../../src/actors/campaign/service.ts"
import type { CampaignBackfills } from "../../src/actors/campaign/backfill/service.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { appOver, request } from "../support/app.ts"
import { fulfillmentPeer } from "../support/fulfillment-peer.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { rawMessages } from "../support/messages.ts"
import { openApiErrors } from "../support/openapi.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"

const bread = "7bed8bf6-995b-450d-8417-1c368709e1e3"
const review = "0b7e6a52-7a0c-4f54-9d8b-3f1f3c1f2a10"
const coffee = "8f14e45f-ceea-467f-a9b8-2a3f7f6b6a11"

interface CampaignBody {
  id: string
  tenant: string
  name: string
  fulfillments: Array<string>
  rewards: Array<string>
}

describe("campaign HTTP", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<CampaignUseCases | CampaignBackfills | CampaignIndex | TenantDirectory>>
  let fulfillment: Awaited<ReturnType<typeof fulfillmentPeer>>
  let app: AnyElysia
  const create = async (body: unknown) => (await (await request(app, "POST", "/campaign", body)).json()) as CampaignBody

  beforeAll(async () => {
    database = await createTestDatabase()
    // Cumulative goals' progress comes from the fulfillment service, over HTTP as in production.
    fulfillment = await fulfillmentPeer(database.url)
    runtime = useCasesRuntime(database.url, Layer.merge(campaignService.useCases, CampaignIndex.layer), { peers: fulfillment.peers })
    await registerTenantsIn(runtime, ["crud", "elsewhere", "fixed", "listed", "literal", "meiwei", "progress", "strict"])
    app = await appOver(runtime, "campaign", campaignService.routes)
    await fulfillment.start()
  })
  afterAll(async () => {
    await fulfillment?.stop()
    await runtime.dispose()
    await database.drop()
  })

  test("the original contract creates a campaign, verbatim, with a generated id", async () => {
    const body = { tenant: "meiwei", name: "bread lovers", fulfillments: [bread, review], rewards: [coffee] }
    const response = await request(app, "POST", "/campaign", body)
    expect(response.status).toBe(201)
    const created = (await response.json()) as CampaignBody
    expect(created).toMatchObject(body)
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })

  test("the listing answers {campaigns:[...]}, narrowed by ?tenant= and paged", async () => {
    await create({ tenant: "listed", name: "first", fulfillments: [bread], rewards: [coffee] })
    await create({ tenant: "listed", name: "second", fulfillments: [review], rewards: [coffee] })
    const all = (await (await request(app, "GET", "/campaign?tenant=listed")).json()) as { campaigns: Array<CampaignBody> }
    expect(all.campaigns.map((c) => c.name)).toEqual(["first", "second"])
    const page = (await (await request(app, "GET", "/campaign?tenant=listed&limit=1&offset=1")).json()) as { campaigns: Array<CampaignBody> }
    expect(page.campaigns.map((c) => c.name)).toEqual(["second"])
    const none = (await (await request(app, "GET", "/campaign?tenant=nobody")).json()) as { campaigns: Array<CampaignBody> }
    expect(none).toEqual({ campaigns: [] })
    const everything = (await (await request(app, "GET", "/campaign")).json()) as { campaigns: Array<CampaignBody> }
    expect(everything.campaigns.length).toBeGreaterThanOrEqual(2)
  })

  test("a campaign can be read, replaced and deleted; afterwards it is 404", async () => {
    const created = await create({ tenant: "crud", name: "before", fulfillments: [bread], rewards: [coffee] })
    expect(await (await request(app, "GET", `/campaign/${created.id}`)).json()).toMatchObject({ id: created.id, name: "before" })
    const changed = await request(app, "PUT", `/campaign/${created.id}`, { name: "after", fulfillments: [review, bread], rewards: [coffee] })
    expect(changed.status).toBe(200)
    expect(await changed.json()).toMatchObject({ id: created.id, tenant: "crud", name: "after", fulfillments: [review, bread] })
    expect((await request(app, "DELETE", `/campaign/${created.id}`)).status).toBe(204)
    expect((await request(app, "GET", `/campaign/${created.id}`)).status).toBe(404)
    expect((await request(app, "PUT", `/campaign/${created.id}`, { name: "x", fulfillments: [bread], rewards: [coffee] })).status).toBe(404)
    expect((await request(app, "DELETE", `/campaign/${created.id}`)).status).toBe(404)
  })

  test("the tenant of a campaign cannot be changed; naming its own tenant is fine", async () => {
    const created = await create({ tenant: "fixed", name: "c", fulfillments: [bread], rewards: [coffee] })
    const moved = await request(app, "PUT", `/campaign/${created.id}`, { tenant: "elsewhere", name: "c", fulfillments: [bread], rewards: [coffee] })
    expect(moved.status).toBe(422)
    expect(await moved.json()).toMatchObject({ error: "InvalidInput", field: "tenant" })
    const same = await request(app, "PUT", `/campaign/${created.id}`, { tenant: "fixed", name: "d", fulfillments: [bread], rewards: [coffee] })
    expect(same.status).toBe(200)
    expect(await same.json()).toMatchObject({ tenant: "fixed", name: "d" })
  })

  test.each([
    [{ tenant: "meiwei", name: "n", fulfillments: [], rewards: [coffee] }, "fulfillments"],
    [{ tenant: "meiwei", name: "n", fulfillments: [bread], rewards: [] }, "rewards"],
    [{ tenant: "meiwei", name: "n", fulfillments: [bread, bread], rewards: [coffee] }, "fulfillments[1]"],
    [{ tenant: "meiwei", name: "n", fulfillments: [bread], rewards: [coffee, review, coffee.toUpperCase()] }, "rewards[2]"],
    [{ tenant: "meiwei", name: "n", fulfillments: [bread, "bread"], rewards: [coffee] }, "fulfillments[1]"],
    [{ tenant: "meiwei", name: "n", fulfillments: [bread], rewards: [42] }, "rewards[0]"],
    [{ tenant: "meiwei", name: "n", fulfillments: bread, rewards: [coffee] }, "fulfillments"],
    [{ tenant: "meiwei", fulfillments: [bread], rewards: [coffee] }, "name"],
    [{ tenant: "meiwei", name: "", fulfillments: [bread], rewards: [coffee] }, "name"],
    [{ name: "n", fulfillments: [bread], rewards: [coffee] }, "tenant"],
    [{ tenant: "meiwei", name: "n", rewards: [coffee] }, "fulfillments"]
  ])("invalid body %p is refused with 422 naming %s", async (body, field) => {
    const response = await request(app, "POST", "/campaign", body)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ error: "ValidationError", field })
  })

  test("an update is validated like a creation", async () => {
    const created = await create({ tenant: "strict", name: "c", fulfillments: [bread], rewards: [coffee] })
    const response = await request(app, "PUT", `/campaign/${created.id}`, { name: "c", fulfillments: [bread, bread], rewards: [coffee] })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ field: "fulfillments[1]" })
    expect(await (await request(app, "GET", `/campaign/${created.id}`)).json()).toMatchObject({ fulfillments: [bread] })
  })

  test("malformed JSON is a 400, and a bad id in the path is a 422 naming it", async () => {
    expect((await request(app, "POST", "/campaign", "{not json")).status).toBe(400)
    const response = await request(app, "GET", "/campaign/42")
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ field: "id" })
  })

  test("text is stored literally: SQL in a name is just a name", async () => {
    const name = "x'); drop table campaign.campaigns; --"
    const created = await create({ tenant: "literal", name, fulfillments: [bread], rewards: [coffee] })
    expect(((await (await request(app, "GET", `/campaign/${created.id}`)).json()) as CampaignBody).name).toBe(name)
    expect((await request(app, "GET", "/campaign")).status).toBe(200)
  })

  test("progress names the fulfillments done and missing, and counts completed rounds", async () => {
    const created = await create({ tenant: "progress", name: "p", fulfillments: [bread, review], rewards: [coffee] })
    const path = `/campaign/${created.id}/progress/ada`
    expect(await (await request(app, "GET", path)).json()).toEqual({
      campaignId: created.id, tenant: "progress", userId: "ada", completed: [], missing: [bread, review], completions: 0
    })
    const done = (eventId: string, fulfillmentId: string) => ({ tenant: "progress", fulfillmentId, userId: "ada", eventId, causeEventId: `cause-${eventId}` })
    await runtime.runPromise(processBatch("campaign", progressHandler, rawMessages("fulfillment", [done("p1", review)])))
    expect(await (await request(app, "GET", path)).json()).toMatchObject({ completed: [review], missing: [bread], completions: 0 })
    await runtime.runPromise(processBatch("campaign", progressHandler, rawMessages("fulfillment", [done("p2", bread)], { firstOffset: 1 })))
    expect(await (await request(app, "GET", path)).json()).toMatchObject({ completed: [], missing: [bread, review], completions: 1 })
    expect((await request(app, "GET", `/campaign/${coffee}/progress/ada`)).status).toBe(404)
  })

  test("every campaign route is in a valid OpenAPI document, with its error responses", async () => {
    const document = (await (await request(app, "GET", "/swagger/json")).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }
    expect(await openApiErrors(document)).toEqual([])
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/campaign", "/campaign/{id}", "/campaign/{id}/progress/{userId}"]))
    expect(Object.keys(document.paths["/campaign"]!.post!.responses)).toEqual(expect.arrayContaining(["201", "403", "422"]))
    expect(Object.keys(document.paths["/campaign/{id}"]!.delete!.responses)).toEqual(expect.arrayContaining(["204", "404"]))
  })
})
