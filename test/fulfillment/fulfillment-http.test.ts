import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { AnyElysia } from "elysia"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { EventIngestion } from "../../src/actors/fulfillment/ingestion.ts"
import type { PurchaseImports } from "../../src/actors/fulfillment/imports/service.ts"
import { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { oneTenant } from "../../src/domain/tenant-scope.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { openApiErrors } from "../support/openapi.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { tenant } from "../support/values.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"

const useCases = fulfillmentService.useCases

type Json = Record<string, unknown>

describe("fulfillment HTTP", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | EventIngestion | PurchaseImports | TenantDirectory>>
  let app: AnyElysia
  const json = async (method: string, path: string, body?: unknown) => {
    const response = await request(app, method, path, body)
    return { status: response.status, body: (response.status === 204 ? undefined : await response.json()) as Json }
  }
  const list = async (path: string) => (await (await request(app, "GET", path)).json()) as Array<Json>

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, useCases)
    await registerTenantsIn(runtime, ["crud", "elsewhere", "literal", "meiwei", "mine", "paged", "theirs", "upd"])
    app = await appOver(runtime, "fulfillment", fulfillmentService.routes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("the original buy fulfillment body is accepted verbatim; the same id again is a 409", async () => {
    const body = `{"tenant":"meiwei","fulfillment_id":"7bed8bf6-995b-450d-8417-1c368709e1e3","name":"bread","product":"bread","amount":100}`
    const created = await json("POST", "/buy-fulfillments/", body)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ tenant: "meiwei", fulfillment_id: "7bed8bf6-995b-450d-8417-1c368709e1e3", name: "bread", product: "bread", amount: 100 })
    const again = await json("POST", "/buy-fulfillments/", body)
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ error: "AlreadyExists" })
  })

  test("the original tag fulfillment body is accepted verbatim; its id is taken for buy fulfillments too", async () => {
    const body = `{"tenant":"meiwei","fulfillment_id":"0f6f1f0e-2a3b-4c5d-8e9f-a0b1c2d3e4f5","name":"signed up","tag":"signup"}`
    const created = await json("POST", "/tag-fulfillments/", body)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ tenant: "meiwei", fulfillment_id: "0f6f1f0e-2a3b-4c5d-8e9f-a0b1c2d3e4f5", name: "signed up", tag: "signup" })
    const clash = await json("POST", "/buy-fulfillments/", { tenant: "meiwei", fulfillment_id: "0f6f1f0e-2a3b-4c5d-8e9f-a0b1c2d3e4f5", name: "x", product: "", amount: 1 })
    expect(clash.status).toBe(409)
  })

  test("a buy fulfillment without an id gets one; it can be read, replaced, listed and deleted", async () => {
    const created = await json("POST", "/buy-fulfillments/", { tenant: "crud", name: "anything", product: "", amount: 12.5 })
    const id = created.body.fulfillment_id as string
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect((await json("GET", `/buy-fulfillments/${id}/`)).body).toMatchObject({ tenant: "crud", name: "anything", product: "", amount: 12.5 })
    const changed = await json("PUT", `/buy-fulfillments/${id}/`, { product: "cake", amount: 0.0001 })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ name: "anything", product: "cake", amount: 0.0001 })
    const renamed = await json("PUT", `/buy-fulfillments/${id}/`, { name: "cake lover", product: "cake", amount: 3 })
    expect(renamed.body).toMatchObject({ name: "cake lover", amount: 3 })
    expect(await list("/buy-fulfillments/?tenant=crud")).toEqual([renamed.body])
    expect((await json("DELETE", `/buy-fulfillments/${id}/`)).status).toBe(204)
    expect((await json("GET", `/buy-fulfillments/${id}/`)).status).toBe(404)
    expect((await json("PUT", `/buy-fulfillments/${id}/`, { product: "cake", amount: 3 })).status).toBe(404)
    expect((await json("DELETE", `/buy-fulfillments/${id}/`)).status).toBe(404)
  })

  test("a tag fulfillment can be read, retagged, listed and deleted, and is invisible as a buy fulfillment", async () => {
    const created = await json("POST", "/tag-fulfillments/", { tenant: "crud", name: "reviewer", tag: "review" })
    const id = created.body.fulfillment_id as string
    expect((await json("GET", `/buy-fulfillments/${id}/`)).status).toBe(404)
    expect((await json("DELETE", `/buy-fulfillments/${id}/`)).status).toBe(404)
    const changed = await json("PUT", `/tag-fulfillments/${id}/`, { tag: "review:5-stars" })
    expect(changed.body).toMatchObject({ name: "reviewer", tag: "review:5-stars" })
    expect((await json("GET", `/tag-fulfillments/${id}/`)).body).toEqual(changed.body)
    expect(await list("/tag-fulfillments/?tenant=crud")).toEqual([changed.body])
    expect(await list("/buy-fulfillments/?tenant=crud")).toEqual([])
    expect((await json("DELETE", `/tag-fulfillments/${id}/`)).status).toBe(204)
    expect((await json("GET", `/tag-fulfillments/${id}/`)).status).toBe(404)
  })

  test("lists are filtered by tenant and paged in creation order", async () => {
    for (const name of ["a", "b", "c"]) await json("POST", "/tag-fulfillments/", { tenant: "paged", name, tag: name })
    await json("POST", "/tag-fulfillments/", { tenant: "elsewhere", name: "z", tag: "z" })
    const names = async (path: string) => (await list(path)).map((f) => f.name)
    expect(await names("/tag-fulfillments/?tenant=paged")).toEqual(["a", "b", "c"])
    expect(await names("/tag-fulfillments/?tenant=paged&limit=1&offset=1")).toEqual(["b"])
    expect(await names("/tag-fulfillments/")).toEqual(expect.arrayContaining(["a", "b", "c", "z"]))
    expect((await json("GET", "/tag-fulfillments/?limit=0")).status).toBe(422)
  })

  const buy = { tenant: "meiwei", name: "bread", product: "bread", amount: 100 }
  test.each([
    ["no tenant", { ...buy, tenant: undefined }, "tenant"],
    ["a tenant with spaces", { ...buy, tenant: "bad tenant!" }, "tenant"],
    ["an id that is not a UUID", { ...buy, fulfillment_id: "not-a-uuid" }, "fulfillment_id"],
    ["an empty name", { ...buy, name: "" }, "name"],
    ["a 201-character name", { ...buy, name: "n".repeat(201) }, "name"],
    ["no product", { ...buy, product: undefined }, "product"],
    ["a 201-character product", { ...buy, product: "p".repeat(201) }, "product"],
    ["an amount as text", { ...buy, amount: "100" }, "amount"],
    ["a negative amount", { ...buy, amount: -1 }, "amount"],
    ["an amount with 5 decimals", { ...buy, amount: 0.00001 }, "amount"],
    ["an amount above the maximum", { ...buy, amount: 1e12 }, "amount"]
  ])("a buy fulfillment with %s is refused with 422 naming the field", async (_, body, field) => {
    const response = await json("POST", "/buy-fulfillments/", body)
    expect(response.status).toBe(422)
    expect(response.body).toMatchObject({ error: "ValidationError", field })
  })

  const tag = { tenant: "meiwei", name: "signup", tag: "signup" }
  test.each([
    ["a numeric tenant", { ...tag, tenant: 7 }, "tenant"],
    ["no name", { ...tag, name: undefined }, "name"],
    ["an empty tag", { ...tag, tag: "" }, "tag"],
    ["a tag with a space", { ...tag, tag: "has space" }, "tag"],
    ["a 101-character tag", { ...tag, tag: "t".repeat(101) }, "tag"]
  ])("a tag fulfillment with %s is refused with 422 naming the field", async (_, body, field) => {
    const response = await json("POST", "/tag-fulfillments/", body)
    expect(response.status).toBe(422)
    expect(response.body).toMatchObject({ error: "ValidationError", field })
  })

  test("updates are validated too, and a bad id in the path is a 422 naming it", async () => {
    const id = (await json("POST", "/buy-fulfillments/", { ...buy, tenant: "upd" })).body.fulfillment_id as string
    expect((await json("PUT", `/buy-fulfillments/${id}/`, { product: "bread" })).body).toMatchObject({ field: "amount" })
    expect((await json("PUT", `/tag-fulfillments/${id}/`, { tag: "a b" })).body).toMatchObject({ field: "tag" })
    expect((await json("GET", "/buy-fulfillments/42/")).body).toMatchObject({ field: "fulfillmentId" })
    expect((await json("DELETE", "/tag-fulfillments/42/")).body).toMatchObject({ field: "fulfillmentId" })
    expect((await request(app, "POST", "/buy-fulfillments/", "{not json")).status).toBe(400)
  })

  test("text fields are stored literally: SQL in a name or product is just text", async () => {
    const name = "x'); delete from fulfillment.fulfillments; --"
    const product = "bread' or '1'='1"
    const created = await json("POST", "/buy-fulfillments/", { tenant: "literal", name, product, amount: 1 })
    const read = await json("GET", `/buy-fulfillments/${created.body.fulfillment_id}/`)
    expect(read.body).toMatchObject({ name, product })
    expect((await list("/buy-fulfillments/")).length).toBeGreaterThan(1)
  })

  test("a one-tenant scope cannot write another tenant's fulfillments, nor see them", async () => {
    const theirs = (await json("POST", "/tag-fulfillments/", { tenant: "theirs", name: "x", tag: "x" })).body.fulfillment_id as string
    const mine = oneTenant(tenant("mine"))
    const outcome = (effect: Effect.Effect<unknown, { _tag: string }, FulfillmentUseCases>) =>
      runtime.runPromise(effect.pipe(Effect.match({ onFailure: (error) => error._tag, onSuccess: () => "ok" })))
    const u = Effect.service(FulfillmentUseCases)
    expect(await outcome(Effect.flatMap(u, (u) => u.tag.create(mine, { tenant: tenant("theirs"), name: "x", tag: "x" })))).toBe("Forbidden")
    expect(await outcome(Effect.flatMap(u, (u) => u.buy.create(mine, { tenant: tenant("theirs"), name: "x", product: "", amount: 1 })))).toBe("Forbidden")
    expect(await outcome(Effect.flatMap(u, (u) => u.tag.get(mine, theirs)))).toBe("NotFound")
    // Writing another tenant's row by id finds nothing, as reading it does: its existence is not told.
    expect(await outcome(Effect.flatMap(u, (u) => u.tag.update(mine, theirs, { tag: "y" })))).toBe("NotFound")
    expect(await outcome(Effect.flatMap(u, (u) => u.tag.delete(mine, theirs)))).toBe("NotFound")
    expect(await outcome(Effect.flatMap(u, (u) => u.tag.delete(mine, "00000000-0000-4000-8000-000000000000")))).toBe("NotFound")
    expect(await runtime.runPromise(Effect.flatMap(u, (u) => u.tag.list(mine, { limit: 100, offset: 0 })))).toEqual([])
    expect((await json("GET", `/tag-fulfillments/${theirs}/`)).body).toMatchObject({ tag: "x" })
  })

  test("the OpenAPI document is valid and declares every route with its bodies and statuses", async () => {
    const document = (await json("GET", "/swagger/json")).body as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>
    }
    expect(await openApiErrors(document)).toEqual([])
    const paths = document.paths
    for (const kind of ["buy", "tag"]) {
      expect(Object.keys(paths[`/${kind}-fulfillments/`] ?? {}).sort()).toEqual(["get", "post"])
      expect(Object.keys(paths[`/${kind}-fulfillments/{fulfillmentId}/`] ?? {}).sort()).toEqual(["delete", "get", "put"])
      expect(paths[`/${kind}-fulfillments/`]!.post!.requestBody).toBeDefined()
      expect(Object.keys(paths[`/${kind}-fulfillments/`]!.post!.responses)).toEqual(expect.arrayContaining(["201", "409", "422"]))
    }
    for (const topic of ["buy", "activity"]) {
      expect(paths[`/events/${topic}`]?.post?.requestBody).toBeDefined()
      expect(Object.keys(paths[`/events/${topic}`]!.post!.responses)).toEqual(expect.arrayContaining(["202", "403", "422", "503"]))
    }
  })
})
