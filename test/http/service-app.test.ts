import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { AnyElysia } from "elysia"
import { apiServiceNames } from "../../src/config/service-name.ts"
import { campaignService } from "../../src/actors/campaign/definition.ts"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { userService } from "../../src/actors/user/definition.ts"
import { appOver, request } from "../support/app.ts"
import { Layer } from "effect"
import { useCasesRuntime } from "../support/layers.ts"
import { openApiErrors } from "../support/openapi.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

// The real routes (their use cases are never called here): the documents describe all of them.
const routes = { campaign: campaignService.routes, reward: rewardService.routes, fulfillment: fulfillmentService.routes, user: userService.routes }

describe.each(apiServiceNames)("the %s service's app", (service) => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<never>>
  let app: AnyElysia

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, Layer.empty)
    app = await appOver(runtime, service, routes[service] as never)
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

  test("answers, errors and unknown routes alike, carry the security headers; the Swagger page has a policy of its own", async () => {
    for (const [method, path] of [["GET", "/health"], ["GET", "/no/such/route"], ["POST", "/no/such/route"], ["GET", "/swagger/json"], ["GET", "/swagger/assets/swagger-ui-bundle.js"]] as const) {
      const response = await request(app, method, path)
      expect(response.headers.get("x-content-type-options")).toBe("nosniff")
      expect(response.headers.get("x-frame-options")).toBe("DENY")
      expect(response.headers.get("referrer-policy")).toBe("no-referrer")
      expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'")
    }
    const page = await request(app, "GET", "/swagger")
    expect(page.headers.get("content-security-policy")).toStartWith("default-src 'none'; script-src 'self' 'sha256-")
    expect(page.headers.get("x-frame-options")).toBe("DENY")
  })

  test("unknown routes get the project's error shape, as RFC 9457 problem details", async () => {
    const response = await request(app, "GET", "/no/such/route")
    expect(response.status).toBe(404)
    expect(response.headers.get("content-type")).toStartWith("application/problem+json")
    expect(await response.json()).toEqual({
      type: "urn:loyaltea:problem:not-found",
      title: "Not Found",
      status: 404,
      detail: "no such route",
      error: "NotFound",
      message: "no such route"
    })
  })

  test("every error answer is documented as problem details, and every 503 with Retry-After", async () => {
    const document = (await (await request(app, "GET", "/swagger/json")).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }> }>>
    }
    const wrong: Array<string> = []
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const types = Object.keys(response.content ?? {})
          if (Number(status) >= 400 && path !== "/ready" && types.join() !== "application/problem+json") wrong.push(`${method} ${path} ${status}: ${types.join()}`)
          if (status === "503" && !response.headers?.["Retry-After"]) wrong.push(`${method} ${path} 503 without Retry-After`)
        }
      }
    }
    expect(wrong).toEqual([])
  })
})
