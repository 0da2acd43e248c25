import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { request } from "../support/app.ts"
import { accessToken, bearer } from "../support/credentials.ts"
import { allServices, type Route } from "./all-services.ts"
import { fixtures, tenantA } from "./route-fixtures.ts"

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/** An answer as a client sees it, with the ids it was asked about blanked out. */
const answer = async (response: Response, ...names: ReadonlyArray<string>) => {
  let body = (await response.text()).replace(uuidPattern, "<id>")
  for (const name of names) body = body.replaceAll(name, "<name>")
  return { status: response.status, contentType: response.headers.get("content-type"), body }
}

describe("tenant B learns nothing about tenant A's data from the answers to its writes", () => {
  let services: Awaited<ReturnType<typeof allServices>>
  let tenantB: Record<string, string>
  const create = (service: string, path: string, body: unknown, idField: string) => services.create(service, path, body, idField)
  const send = (route: Route, path: string, body: unknown) => request(services.apps[route.service], route.method.toUpperCase(), path, body, tenantB)

  beforeAll(async () => {
    services = await allServices()
    // Registers tenant A (whose rows the fixtures create) and tenant B, the caller.
    await accessToken(services.runtime, "tenant-admin", tenantA)
    tenantB = bearer(await accessToken(services.runtime, "tenant-admin", "tenant-b"))
  }, 60_000)
  afterAll(async () => {
    await services?.close()
  })

  test("a write by id of another tenant's row answers exactly as for an id that exists nowhere", async () => {
    const byId = services.routes.filter((r) => (r.method === "put" || r.method === "delete") && r.path.includes("{") && !r.path.includes("{tenant}"))
    expect(byId.length).toBeGreaterThanOrEqual(9)
    for (const route of byId) {
      const call = await fixtures[`${route.method} ${route.path}`]!(create)
      const theirs = await answer(await send(route, call.path, call.body))
      const nowhere = await answer(await send(route, call.path.replace(uuidPattern, randomUUID()), call.body))
      expect({ route: `${route.method} ${route.path}`, ...theirs }).toEqual({ route: `${route.method} ${route.path}`, ...nowhere })
      expect(theirs.status).toBe(404)
    }
  }, 60_000)

  test("a write naming another tenant in its path is refused the same way whether that tenant exists or not", async () => {
    const naming = services.routes.filter((r) => r.method === "put" && r.path.includes("{tenant}"))
    expect(naming.length).toBeGreaterThanOrEqual(1)
    for (const route of naming) {
      const call = await fixtures[`${route.method} ${route.path}`]!(create)
      const existing = await answer(await send(route, call.path, call.body), tenantA)
      const nowhere = await answer(await send(route, call.path.replace(tenantA, "no-such-tenant"), call.body), "no-such-tenant")
      expect({ route: route.path, ...existing }).toEqual({ route: route.path, ...nowhere })
      expect(existing.status).toBe(403)
    }
  }, 60_000)

  test("a write naming another tenant in its body is refused the same way whether that tenant exists or not", async () => {
    const naming = services.routes.filter((r) => r.method === "post" && r.access !== "public" && r.access !== "admin" && r.body?.properties?.tenant)
    expect(naming.length).toBeGreaterThanOrEqual(6)
    for (const route of naming) {
      const call = await fixtures[`${route.method} ${route.path}`]!(create)
      const existing = await answer(await send(route, call.path, call.body), tenantA)
      const missing = await answer(await send(route, call.path, { ...(call.body as object), tenant: "no-such-tenant" }), "no-such-tenant")
      expect({ route: `${route.method} ${route.path}`, ...existing }).toEqual({ route: `${route.method} ${route.path}`, ...missing })
      expect(existing.status).toBe(403)
    }
  }, 60_000)

  test("a taken username is only 'unavailable', whether tenant A, the caller's own tenant or a platform admin holds it", async () => {
    const holders = { "tenant A": `a-${randomUUID()}`, "own tenant": `b-${randomUUID()}`, "platform admin": `root-${randomUUID()}` }
    await create("user", "/operators", { username: holders["tenant A"], password: "a-long-enough-password", role: "tenant-viewer", tenant: tenantA }, "id")
    await create("user", "/operators", { username: holders["own tenant"], password: "a-long-enough-password", role: "tenant-viewer", tenant: "tenant-b" }, "id")
    await create("user", "/operators", { username: holders["platform admin"], password: "a-long-enough-password", role: "admin" }, "id")
    const answers = await Promise.all(Object.values(holders).map(async (username) =>
      answer(await request(services.apps.user, "POST", "/operators", { username, password: "a-long-enough-password", role: "tenant-viewer" }, tenantB), username)
    ))
    expect(answers[0]!.status).toBe(409)
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ error: "UsernameUnavailable", message: "username unavailable", field: "username" })
    expect(answers[0]!.body).not.toContain("<name>")
    expect(answers[1]).toEqual(answers[0]!)
    expect(answers[2]).toEqual(answers[0]!)
  }, 60_000)
})
