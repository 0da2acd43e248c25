import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Layer } from "effect"
import type { AnyElysia } from "elysia"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { RulesIndex } from "../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../src/actors/fulfillment/derive/rule-starts.ts"
import type { EventIngestion } from "../../src/actors/fulfillment/ingestion.ts"
import type { PurchaseImports } from "../../src/actors/fulfillment/imports/service.ts"
import type { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { buyHandler } from "../../src/actors/fulfillment/actor.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { swaggerSample } from "../support/swagger-sample.ts"
import { registerTenantsIn } from "../support/tenants.ts"

type Json = Record<string, unknown>
type Schema = Parameters<typeof swaggerSample>[0] & { readonly properties?: Record<string, Json>; readonly description?: string }

describe("cumulative goals over HTTP", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | EventIngestion | PurchaseImports | TenantDirectory | RulesIndex | RuleStarts | RuleStarts>>
  let app: AnyElysia
  let document: { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> }; parameters?: Array<{ name: string; schema: Schema }> }>> }
  let offset = 0

  const json = async (method: string, path: string, body?: unknown) => {
    const response = await request(app, method, path, body)
    return { status: response.status, body: (await response.json()) as Json }
  }
  const bodySchema = (path: string, method: string) => document.paths[path]![method]!.requestBody!.content["application/json"]!.schema
  const purchases = (values: ReadonlyArray<unknown>) => {
    const firstOffset = offset
    offset += values.length
    return runtime.runPromise(processBatch("fulfillment", buyHandler, rawMessages("buy", values, { firstOffset })))
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases, RulesIndex.layer, RuleStarts.layer))
    await registerTenantsIn(runtime, ["meiwei", "goals", "progress", "samples"])
    app = await appOver(runtime, "fulfillment", fulfillmentService.routes)
    document = (await json("GET", "/swagger/json")).body as never
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a buy fulfillment's goal is stored and answered; a PUT without goal fields makes it plain again", async () => {
    const created = await json("POST", "/buy-fulfillments/", { tenant: "goals", name: "spend", product: "", amount: 0, total: 500.5, period: "month" })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ amount: 0, total: 500.5, period: "month" })
    expect(created.body).not.toHaveProperty("count")
    const id = created.body.fulfillment_id as string
    const changed = await json("PUT", `/buy-fulfillments/${id}/`, { product: "bread", amount: 1, count: 3, within: "PT36H" })
    expect(changed.body).toMatchObject({ name: "spend", product: "bread", amount: 1, count: 3, within: "PT36H" })
    expect(changed.body).not.toHaveProperty("period")
    expect(changed.body).not.toHaveProperty("total")
    const plain = await json("PUT", `/buy-fulfillments/${id}/`, { product: "bread", amount: 1 })
    expect(Object.keys(plain.body).sort()).toEqual(["amount", "created_at", "fulfillment_id", "name", "product", "tenant", "updated_at"])
  })

  test("a tag fulfillment takes count and within or period", async () => {
    const created = await json("POST", "/tag-fulfillments/", { tenant: "goals", name: "reviewer", tag: "review", count: 2, within: "P1W" })
    expect(created.body).toMatchObject({ tag: "review", count: 2, within: "P1W" })
    expect((await json("GET", `/tag-fulfillments/${created.body.fulfillment_id}/`)).body).toEqual(created.body)
  })

  const buy = { tenant: "goals", name: "goal", product: "bread", amount: 0 }
  test.each([
    ["within and period together", { ...buy, within: "P7D", period: "week" }, "period"],
    ["count 0", { ...buy, count: 0 }, "count"],
    ["a count of 2.5", { ...buy, count: 2.5 }, "count"],
    ["a count above 1000", { ...buy, count: 1001 }, "count"],
    ["a total of 0", { ...buy, total: 0 }, "total"],
    ["a negative total", { ...buy, total: -5 }, "total"],
    ["a total with 5 places", { ...buy, total: 0.00001 }, "total"],
    ["a total as text", { ...buy, total: "500" }, "total"],
    ["a window of a month", { ...buy, within: "P1M" }, "within"],
    ["a window of a year", { ...buy, within: "P1Y" }, "within"],
    ["a window of nothing", { ...buy, within: "P0D" }, "within"],
    ["a window in words", { ...buy, within: "7 days" }, "within"],
    ["an unknown period", { ...buy, period: "year" }, "period"]
  ])("a buy fulfillment with %s is refused with 422 naming the field", async (_, body, field) => {
    const response = await json("POST", "/buy-fulfillments/", body)
    expect(response.status).toBe(422)
    expect(response.body).toMatchObject({ field })
  })

  test("a month as a duration says to use the period; updates and tag fulfillments are checked alike", async () => {
    expect((await json("POST", "/buy-fulfillments/", { ...buy, within: "P1M" })).body.message).toContain("period month")
    const id = (await json("POST", "/buy-fulfillments/", buy)).body.fulfillment_id as string
    expect((await json("PUT", `/buy-fulfillments/${id}/`, { product: "bread", amount: 0, within: "P7D", period: "day" })).body).toMatchObject({ field: "period" })
    const tag = { tenant: "goals", name: "t", tag: "review" }
    expect((await json("POST", "/tag-fulfillments/", { ...tag, within: "P1D", period: "day" })).body).toMatchObject({ field: "period" })
    expect((await json("POST", "/tag-fulfillments/", { ...tag, count: 0 })).body).toMatchObject({ field: "count" })
    expect((await json("POST", "/tag-fulfillments/", { ...tag, within: "P2M" })).body).toMatchObject({ field: "within" })
  })

  test("Swagger UI's sample bodies are accepted as they are", async () => {
    const post = async (path: string) => {
      const response = await json("POST", path, swaggerSample(bodySchema(path, "post")))
      return [path, response.status]
    }
    expect(await post("/buy-fulfillments/")).toEqual(["/buy-fulfillments/", 201])
    expect(await post("/tag-fulfillments/")).toEqual(["/tag-fulfillments/", 201])
    for (const kind of ["buy", "tag"]) {
      const id = (await json("POST", `/${kind}-fulfillments/`, swaggerSample(bodySchema(`/${kind}-fulfillments/`, "post")))).body.fulfillment_id
      const sample = swaggerSample(bodySchema(`/${kind}-fulfillments/{fulfillmentId}/`, "put"))
      expect([kind, (await json("PUT", `/${kind}-fulfillments/${id}/`, sample)).status]).toEqual([kind, 200])
    }
    for (const topic of ["buy", "activity"]) {
      const sample = swaggerSample(bodySchema(`/events/${topic}`, "post"))
      expect([topic, (await json("POST", `/events/${topic}?dryRun=true`, sample)).status]).toEqual([topic, 200])
      expect([topic, (await json("POST", `/events/${topic}`, sample)).status]).toEqual([topic, 202])
    }
  })

  test("every new field has a description and an example in the OpenAPI document", () => {
    const missing: Array<string> = []
    const check = (where: string, schema: Schema | Json | undefined) => {
      const s = schema as { description?: unknown; examples?: unknown } | undefined
      if (!s?.description || !Array.isArray(s.examples)) missing.push(where)
    }
    for (const path of ["/buy-fulfillments/", "/buy-fulfillments/{fulfillmentId}/"]) {
      const method = path.endsWith("/{fulfillmentId}/") ? "put" : "post"
      for (const field of ["count", "total", "within", "period"]) check(`${method} ${path} ${field}`, bodySchema(path, method).properties?.[field])
    }
    for (const field of ["count", "within", "period"]) check(`post /tag-fulfillments/ ${field}`, bodySchema("/tag-fulfillments/", "post").properties?.[field])
    for (const topic of ["buy", "activity"]) {
      check(`dryRun of /events/${topic}`, document.paths[`/events/${topic}`]!.post!.parameters!.find((p) => p.name === "dryRun")?.schema)
    }
    const progress = document.paths["/fulfillment-progress/{userId}"]!.get!.parameters!
    for (const name of ["fulfillment_id", "at"]) check(`progress ${name}`, progress.find((p) => p.name === name)?.schema)
    expect(missing).toEqual([])
  })

  test("progress: how far a user is along each cumulative fulfillment, in the window ending at `at`, this month, or ever", async () => {
    const loaves = (await json("POST", "/buy-fulfillments/", { tenant: "progress", name: "five loaves", product: "bread", amount: 0, count: 5, within: "P30D" })).body
    const spend = (await json("POST", "/buy-fulfillments/", { tenant: "progress", name: "spend 500", product: "", amount: 0, total: 500, period: "month" })).body
    const reviews = (await json("POST", "/tag-fulfillments/", { tenant: "progress", name: "two reviews", tag: "review", count: 2 })).body
    await json("POST", "/buy-fulfillments/", { tenant: "progress", name: "plain", product: "bread", amount: 1000 })
    const buy = (eventId: string, occurredAt: string, amount: number, product = "bread") => ({ tenant: "progress", userId: "ada", product, amount, eventId, occurredAt })
    await purchases([buy("p1", "2026-02-25T10:00:00Z", 100), buy("p2", "2026-03-05T10:00:00Z", 140), buy("p3", "2026-03-15T10:00:00Z", 100, "cake")])
    const answer = await json("GET", "/fulfillment-progress/ada?tenant=progress&at=2026-03-20T09:30:00Z")
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      tenant: "progress",
      user_id: "ada",
      at: "2026-03-20T09:30:00.000Z",
      fulfillments: [
        {
          fulfillment_id: loaves.fulfillment_id,
          kind: "buy",
          name: "five loaves",
          goal: { count: 5, within: "P30D" },
          current: { count: 2, total: 240 },
          description: "2 of 5 purchases in the last 30 days"
        },
        {
          fulfillment_id: spend.fulfillment_id,
          kind: "buy",
          name: "spend 500",
          goal: { count: 1, total: 500, period: "month" },
          current: { count: 2, total: 240 },
          description: "240 of 500 spent this month"
        },
        { fulfillment_id: reviews.fulfillment_id, kind: "tag", name: "two reviews", goal: { count: 2 }, current: { count: 0, total: 0 }, description: "0 of 2 reviews" }
      ]
    })
    // Twelve days on, the February loaf has left the 30 days, and April has spent nothing yet.
    const later = await json("GET", `/fulfillment-progress/ada?tenant=progress&at=2026-04-01T00:00:00Z&fulfillment_id=${loaves.fulfillment_id},${spend.fulfillment_id}`)
    expect((later.body.fulfillments as Array<Json>).map((f) => f.description)).toEqual(["1 of 5 purchases in the last 30 days", "0 of 500 spent this month"])
    const one = await json("GET", `/fulfillment-progress/ada?tenant=progress&fulfillment_id=${reviews.fulfillment_id}`)
    expect((one.body.fulfillments as Array<Json>).map((f) => f.fulfillment_id)).toEqual([reviews.fulfillment_id])
    const repeated = await json("GET", `/fulfillment-progress/ada?tenant=progress&fulfillment_id=${reviews.fulfillment_id}&fulfillment_id=${spend.fulfillment_id}`)
    expect((repeated.body.fulfillments as Array<Json>).map((f) => f.name)).toEqual(["spend 500", "two reviews"])
  })

  test("progress needs a tenant, and well-formed ids and times", async () => {
    expect((await json("GET", "/fulfillment-progress/ada")).body).toMatchObject({ field: "tenant" })
    expect((await json("GET", "/fulfillment-progress/ada?tenant=progress&fulfillment_id=nope")).body).toMatchObject({ field: "fulfillment_id" })
    expect((await json("GET", "/fulfillment-progress/ada?tenant=progress&at=yesterday")).body).toMatchObject({ field: "at" })
    expect((await json("GET", "/fulfillment-progress/ada?tenant=nosuchshop")).body).toMatchObject({ fulfillments: [] })
  })
})
