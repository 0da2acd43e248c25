import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { AnyElysia } from "elysia"
import { drainBytes, maxBodyBytes } from "../../src/http/body-limit.ts"
import { uploadRoutes } from "../../src/http/upload-routes.ts"
import { maxJsonDepth } from "../../src/platform/bounded-json.ts"
import { allServices } from "../auth/all-services.ts"
import { request } from "../support/app.ts"
import { openApiErrors } from "../support/openapi.ts"

const nestedArrays = (depth: number, inner = "") => "[".repeat(depth) + inner + "]".repeat(depth)
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth)

const send = (app: AnyElysia, method: string, path: string, body: RequestInit["body"], headers: Record<string, string>) =>
  app.handle(new Request(`http://localhost${path}`, { method, headers, body }))

const timed = async <A>(f: () => Promise<A>) => {
  const started = performance.now()
  const value = await f()
  return { value, ms: performance.now() - started }
}

describe("request bodies on every route of every service", () => {
  let services: Awaited<ReturnType<typeof allServices>>
  const json = (headers: Record<string, string> = {}) => ({ "content-type": "application/json", ...services.adminHeaders, ...headers })
  // The imports take CSV or NDJSON, streamed (test/reward/imports, test/fulfillment/imports).
  const withBodies = () => services.routes.filter((route) => route.method !== "get" && !uploadRoutes.has(route.path))

  beforeAll(async () => {
    services = await allServices()
  }, 60_000)
  afterAll(async () => {
    await services?.close()
  })

  test(`a body nested deeper than ${maxJsonDepth} levels is refused at once with 400 naming the limit`, async () => {
    const wrong: Array<string> = []
    let slowest = 0
    for (const route of withBodies()) {
      // 100 KB each: 50,000 levels of arrays, 20,000 of objects, and a deep value inside a real field.
      for (const body of [nestedArrays(50_000), nestedObjects(20_000), `{"tenant":"tenant-a","name":${nestedArrays(50_000)}}`]) {
        const { value: response, ms } = await timed(() => send(services.apps[route.service], route.method.toUpperCase(), route.path, body, json()))
        slowest = Math.max(slowest, ms)
        const answer = (await response.json()) as Record<string, unknown>
        if (response.status !== 400 || answer.error !== "BodyTooDeep" || answer.limit !== maxJsonDepth) {
          wrong.push(`${route.method} ${route.path} → ${response.status} ${JSON.stringify(answer).slice(0, 200)}`)
        }
      }
    }
    expect(wrong).toEqual([])
    expect(withBodies().length).toBeGreaterThan(20)
    // Refused by one pass over the text: milliseconds, where validating it took seconds.
    expect(slowest).toBeLessThan(250)
  }, 60_000)

  test(`${maxJsonDepth} levels are parsed and validated as usual; one more is refused`, async () => {
    const atLimit = await send(services.apps.reward, "POST", "/rewards/", `{"tenant":"tenant-a","reward_points":1,"name":${nestedArrays(maxJsonDepth - 1)}}`, json())
    expect(atLimit.status).toBe(422)
    expect(await atLimit.json()).toMatchObject({ error: "ValidationError", field: "name" })
    const over = await send(services.apps.reward, "POST", "/rewards/", `{"tenant":"tenant-a","reward_points":1,"name":${nestedArrays(maxJsonDepth)}}`, json())
    expect(over.status).toBe(400)
    expect(await over.json()).toMatchObject({ error: "BodyTooDeep", limit: maxJsonDepth })
    // Brackets inside strings are text, not nesting.
    const inText = await send(services.apps.reward, "POST", "/rewards/", JSON.stringify({ tenant: "tenant-a", reward_points: 1, name: "[{".repeat(90) }), json())
    expect(inText.status).toBe(201)
  })

  test("bodies that are not JSON are refused (415), form fields included, so nothing builds nested values around the bound", async () => {
    const form = new FormData()
    form.set("username", nestedArrays(10_000))
    form.set("a.".repeat(5_000) + "b", "x")
    for (const [body, headers] of [
      [form, {}],
      [`username=${nestedArrays(10_000)}&password=x`, { "content-type": "application/x-www-form-urlencoded" }],
      [JSON.stringify({ username: "u", password: "p" }), { "content-type": "text/plain" }]
    ] as const) {
      const response = await send(services.apps.user, "POST", "/auth/login", body, headers)
      expect(response.status).toBe(415)
      expect(await response.json()).toMatchObject({ error: "UnsupportedMediaType" })
    }
    const vendorJson = await send(services.apps.user, "POST", "/auth/login", JSON.stringify({ username: "nobody", password: "wrong password" }), { "content-type": "application/vnd.api+json" })
    expect(vendorJson.status).toBe(401)
  })

  test("a body that is not UTF-8 is a 400, not text with replacement characters", async () => {
    const bytes = Buffer.concat([Buffer.from('{"tenant":"meiwei","name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])
    const response = await send(services.apps.user, "POST", "/tenants", bytes, json())
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: "MalformedBody" })
  })

  test("a 422 never quotes the value and lists a bounded number of faults", async () => {
    const secret = "s3cret-".repeat(50_000)
    const wrongType = await send(services.apps.user, "POST", "/auth/login", JSON.stringify({ username: { secret }, password: [secret] }), json())
    expect(wrongType.status).toBe(422)
    const text = await wrongType.text()
    expect(text).not.toContain("s3cret")
    expect(text.length).toBeLessThan(2_000)
    const manyFaults = await send(services.apps.fulfillment, "POST", "/events/buy", JSON.stringify(Array.from({ length: 1000 }, () => ({ tenant: "tenant-a", amount: -1 }))), json())
    expect(manyFaults.status).toBe(422)
    const answer = (await manyFaults.json()) as { details: Array<unknown>; field: string }
    expect(answer.field).toBe("[0].product")
    expect(answer.details.length).toBeLessThanOrEqual(20)
  })

  test("an endless chunked body is cut off: 413 with the error body, the connection closed, nothing kept past the limit", async () => {
    let pulled = 0
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength
        controller.enqueue(chunk)
      }
    })
    const response = await services.apps.reward.handle(new Request("http://localhost/rewards/", { method: "POST", headers: json(), body: endless, duplex: "half" } as RequestInit))
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: "PayloadTooLarge", message: `the request body is over ${maxBodyBytes} bytes` })
    expect(response.headers.get("connection")).toBe("close")
    expect(pulled).toBeGreaterThan(maxBodyBytes)
    expect(pulled).toBeLessThan(drainBytes(maxBodyBytes) + 4 * chunk.byteLength)
  })

  test("a body declared over the limit is refused before it is read", async () => {
    const response = await send(services.apps.reward, "POST", "/rewards/", "{}", json({ "content-length": String(maxBodyBytes + 1) }))
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: "PayloadTooLarge" })
  })

  test("routes without a body still take requests without one", async () => {
    const created = (await (await request(services.apps.reward, "POST", "/rewards/", { tenant: "tenant-a", reward_points: 2 }, services.adminHeaders)).json()) as { reward_id: string }
    const deleted = await request(services.apps.reward, "DELETE", `/rewards/${created.reward_id}/`, undefined, services.adminHeaders)
    expect(deleted.status).toBe(204)
  })

  test("the OpenAPI documents list the parser's refusals (400, 413, 415) with the error body on every route that takes a body", async () => {
    const missing: Array<string> = []
    for (const [service, app] of Object.entries(services.apps)) {
      const document = (await (await request(app, "GET", "/swagger/json")).json()) as {
        paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, { schema?: { title?: string } }> }> }>>
      }
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          if (!operation.requestBody) continue
          expect(Object.keys(operation.requestBody.content)).toEqual(uploadRoutes.has(path) ? ["text/csv", "application/x-ndjson"] : ["application/json"])
          for (const status of ["400", "413", "415", "422"]) {
            if (operation.responses[status]?.content?.["application/problem+json"]?.schema?.title !== "Error") missing.push(`${service} ${method} ${path} ${status}`)
          }
        }
      }
    }
    expect(missing).toEqual([])
    expect(await openApiErrors((await (await request(services.apps.user, "GET", "/swagger/json")).json()))).toEqual([])
  })
})
