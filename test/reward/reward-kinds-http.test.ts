import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { AnyElysia } from "elysia"
import { rewardService } from "../../src/actors/reward/definition.ts"
import type { RewardUseCases } from "../../src/actors/reward/service.ts"
import type { WebhookUseCases } from "../../src/actors/reward/webhooks/service.ts"
import type { ExportUseCases } from "../../src/actors/reward/exports/service.ts"
import type { OpeningImports } from "../../src/actors/reward/imports/service.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

type Json = Record<string, unknown>
const noRule = { reward_points: null, points_per_unit: null, unit: null, rounding: null, max_points: null }

describe("reward kinds over HTTP: fixed and per_amount", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>>
  let app: AnyElysia
  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Json })

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["meiwei", "kinds"])
    app = await appOver(runtime, "reward", rewardService.routes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a per_amount reward answers every field, on create, get and list; a fixed one answers null for the per_amount fields", async () => {
    const created = await json(await request(app, "POST", "/rewards/", {
      tenant: "kinds", name: "spend", kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "nearest", max_points: 500
    }))
    expect(created.status).toBe(201)
    const expected = { tenant: "kinds", name: "spend", kind: "per_amount", reward_points: null, points_per_unit: 1, unit: 10, rounding: "nearest", max_points: 500 }
    expect(created.body).toMatchObject(expected)
    const id = created.body.reward_id as string
    expect((await json(await request(app, "GET", `/rewards/${id}/`))).body).toMatchObject(expected)
    const fixed = await json(await request(app, "POST", "/rewards/", { tenant: "kinds", reward_points: 2.5 }))
    expect(fixed.body).toMatchObject({ kind: "fixed", ...noRule, reward_points: 2.5 })
    const list = (await (await request(app, "GET", "/rewards/?tenant=kinds")).json()) as Array<Json>
    expect(list.map((r) => [r.kind, r.reward_points, r.points_per_unit, r.unit, r.rounding, r.max_points])).toEqual([
      ["per_amount", null, 1, 10, "nearest", 500],
      ["fixed", 2.5, null, null, null, null]
    ])
  })

  test("rounding defaults to down and max_points to none; decimals keep their exact value", async () => {
    const created = await json(await request(app, "POST", "/rewards/", { tenant: "kinds", kind: "per_amount", points_per_unit: 0.0001, unit: 999999999.9999 }))
    expect(created.body).toMatchObject({ kind: "per_amount", points_per_unit: 0.0001, unit: 999999999.9999, rounding: "down", max_points: null })
  })

  test("PUT replaces the rule: what it leaves out takes its default, the other kind's fields are cleared", async () => {
    const id = (await json(await request(app, "POST", "/rewards/", {
      tenant: "kinds", name: "keeps its name", kind: "per_amount", points_per_unit: 3, unit: 5, rounding: "exact", max_points: 50
    }))).body.reward_id as string
    const narrowed = await json(await request(app, "PUT", `/rewards/${id}/`, { kind: "per_amount", points_per_unit: 2, unit: 20 }))
    expect(narrowed).toMatchObject({ status: 200, body: { name: "keeps its name", kind: "per_amount", reward_points: null, points_per_unit: 2, unit: 20, rounding: "down", max_points: null } })
    const fixed = await json(await request(app, "PUT", `/rewards/${id}/`, { reward_points: 7 }))
    expect(fixed.body).toMatchObject({ kind: "fixed", ...noRule, reward_points: 7 })
    const back = await json(await request(app, "PUT", `/rewards/${id}/`, { kind: "per_amount", points_per_unit: 1, unit: 10, max_points: 500 }))
    expect(back.body).toMatchObject({ kind: "per_amount", reward_points: null, points_per_unit: 1, unit: 10, rounding: "down", max_points: 500 })
    expect((await json(await request(app, "GET", `/rewards/${id}/`))).body).toMatchObject(back.body)
  })

  const perAmount = { kind: "per_amount", points_per_unit: 1, unit: 10 }
  const refusals: Array<[Json, string]> = [
    [{ kind: "per_amount", points_per_unit: 1 }, "unit"],
    [{ kind: "per_amount", unit: 10 }, "points_per_unit"],
    [{ ...perAmount, unit: 0 }, "unit"],
    [{ ...perAmount, unit: -10 }, "unit"],
    [{ ...perAmount, reward_points: 5 }, "reward_points"],
    [{ ...perAmount, max_points: 0 }, "max_points"],
    [{ ...perAmount, max_points: -1 }, "max_points"],
    [{ ...perAmount, rounding: "up" }, "rounding"],
    [{ ...perAmount, kind: "percent" }, "kind"],
    [{ reward_points: 5, unit: 10 }, "unit"],
    [{ reward_points: 5, points_per_unit: 1 }, "points_per_unit"],
    [{ kind: "fixed", reward_points: 5, max_points: 10 }, "max_points"],
    [{ reward_points: 5, rounding: "down" }, "rounding"],
    [{ kind: "fixed" }, "reward_points"]
  ]

  test.each(refusals)("a reward %p is refused, on POST and PUT, with 422 naming %s", async (rule, field) => {
    const created = await json(await request(app, "POST", "/rewards/", { tenant: "kinds", ...rule }))
    expect(created).toMatchObject({ status: 422, body: { field } })
    const id = (await json(await request(app, "POST", "/rewards/", { tenant: "kinds", reward_points: 1 }))).body.reward_id as string
    const replaced = await json(await request(app, "PUT", `/rewards/${id}/`, rule))
    expect(replaced).toMatchObject({ status: 422, body: { field } })
    expect((await json(await request(app, "GET", `/rewards/${id}/`))).body).toMatchObject({ kind: "fixed", reward_points: 1 })
  })

  test("the README's per_amount reward is accepted as it is written", async () => {
    const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8")
    const body = /-d '(\{[^']*"kind":"per_amount"[^']*\})'/.exec(readme)![1]!
    const created = await json(await request(app, "POST", "/rewards/", body))
    expect(created).toMatchObject({ status: 201, body: { tenant: "meiwei", kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "down", max_points: 500 } })
  })

  test("the OpenAPI examples of the reward bodies are accepted as they are (Swagger's \"Try it out\" sample), and every rule field is described", async () => {
    const document = (await (await request(app, "GET", "/swagger/json")).json()) as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { examples?: Array<Json>; properties: Record<string, { description?: string }> } }> } }>>
    }
    const bodyOf = (path: string, method: string) => document.paths[path]![method]!.requestBody.content["application/json"]!.schema
    const create = bodyOf("/rewards/", "post")
    const update = bodyOf("/rewards/{rewardId}/", "put")
    for (const schema of [create, update]) {
      for (const field of ["kind", "reward_points", "points_per_unit", "unit", "rounding", "max_points"]) {
        expect(schema.properties[field]?.description ?? "").not.toBe("")
      }
    }
    expect(create.examples).toHaveLength(1)
    const created = await json(await request(app, "POST", "/rewards/", create.examples![0]))
    expect(created).toMatchObject({ status: 201, body: create.examples![0]! })
    const replaced = await json(await request(app, "PUT", `/rewards/${created.body.reward_id}/`, update.examples![0]))
    expect(replaced).toMatchObject({ status: 200, body: update.examples![0]! })
  })
})
