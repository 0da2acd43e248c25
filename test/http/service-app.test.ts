import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { AnyElysia } from "elysia"
import { serviceNames } from "../../src/config/service-name.ts"
import { Elysia } from "elysia"
import { appOver, request } from "../support/app.ts"
import { Layer } from "effect"
import { useCasesRuntime } from "../support/layers.ts"
import { openApiErrors } from "../support/openapi.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

describe.each(serviceNames)("the %s service's app", (service) => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<never>>
  let app: AnyElysia

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.empty)
    app = await appOver(runtime, service, () => new Elysia())
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("answers /health", async () => {
    const response = await request(app, "GET", "/health")
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: "ok", service })
  })

  test("is ready once the database answers and migrations are applied", async () => {
    const response = await request(app, "GET", "/ready")
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: "ready", service, database: { status: "ok", mode: "external", pendingMigrations: [] } })
  })

  test("publishes a valid OpenAPI 3 document with the health routes and a bearer scheme", async () => {
    const response = await request(app, "GET", "/swagger/json")
    expect(response.status).toBe(200)
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown>; components: { securitySchemes: Record<string, { scheme?: string }> } }
    expect(document.openapi).toStartWith("3.")
    expect(await openApiErrors(document)).toEqual([])
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/health", "/ready"]))
    expect(Object.keys(document.paths).some((path) => path.startsWith("/swagger"))).toBe(false)
    expect(document.components.securitySchemes.bearerAuth?.scheme).toBe("bearer")
  })

  test("serves the Swagger UI page with its assets from this server, not a CDN", async () => {
    const page = await (await request(app, "GET", "/swagger")).text()
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!)
    expect(sources.length).toBeGreaterThan(0)
    for (const source of sources) {
      expect(source).toStartWith("/swagger/assets/")
      const asset = await request(app, "GET", source)
      expect(asset.status).toBe(200)
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000)
    }
  })

  test("unknown routes get the project's error shape", async () => {
    const response = await request(app, "GET", "/no/such/route")
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: "NotFound" })
  })
})
