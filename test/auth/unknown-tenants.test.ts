import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { request } from "../support/app.ts"
import { allServices } from "./all-services.ts"
import { fixtures, tenantA } from "./route-fixtures.ts"

describe("data for a tenant that does not exist", () => {
  let services: Awaited<ReturnType<typeof allServices>>
  const create = (service: string, path: string, body: unknown, idField: string) => services.create(service, path, body, idField)

  beforeAll(async () => {
    services = await allServices()
  }, 60_000)
  afterAll(async () => {
    await services?.close()
  })

  test("every write naming a tenant in its body is refused with 422 naming the tenant, even for the platform admin, and stores nothing", async () => {
    const wrong: Array<string> = []
    let checked = 0
    for (const route of services.routes.filter((r) => r.method !== "get")) {
      const call = await fixtures[`${route.method} ${route.path}`]!(create)
      const body = call.body as Record<string, unknown> | undefined
      if (body?.tenant !== tenantA) continue
      checked++
      const response = await request(services.apps[route.service], route.method.toUpperCase(), call.path, { ...body, tenant: "nosuchshop" }, services.adminHeaders)
      const answer = (await response.json().catch(() => ({}))) as { field?: string }
      if (response.status !== 422 || answer.field !== "tenant") wrong.push(`${route.method.toUpperCase()} ${route.path} → ${response.status} ${JSON.stringify(answer).slice(0, 160)}`)
    }
    expect(wrong).toEqual([])
    expect(checked).toBeGreaterThanOrEqual(10)
    const stored = await Promise.all(["/rewards/?tenant=nosuchshop", "/user-rewards/?tenant=nosuchshop"].map(async (path) =>
      (await (await request(services.apps.reward, "GET", path, undefined, services.adminHeaders)).json()) as Array<unknown>))
    expect(stored).toEqual([[], []])
  }, 60_000)
})
