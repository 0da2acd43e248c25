import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { ServiceName } from "../../src/config/service-name.ts"
import { allServices } from "../auth/all-services.ts"
import { request } from "../support/app.ts"
import { swaggerSample } from "../support/swagger-sample.ts"
import { registerTenantsIn } from "../support/tenants.ts"

type Json = Record<string, any>
type Document = { paths: Record<string, Record<string, Json>> }

const services: ReadonlyArray<ServiceName> = ["campaign", "reward", "fulfillment", "user"]
const publicRoutes = new Set(["/", "/health", "/metrics", "/ready", "/auth/login", "/auth/refresh", "/auth/logout", "/auth/introspect", "/auth/revocations", "/.well-known/jwks.json"])

describe("Swagger UI on every service", () => {
  let all: Awaited<ReturnType<typeof allServices>>
  const documents = {} as Record<ServiceName, Document>

  beforeAll(async () => {
    all = await allServices()
    // The samples name the README's tenant, which a newcomer creates first.
    await registerTenantsIn(all.runtime as never, ["meiwei"])
    for (const service of services) documents[service] = (await (await request(all.apps[service], "GET", "/swagger/json")).json()) as Document
  }, 60_000)
  afterAll(async () => {
    await all?.close()
  })

  const operations = () =>
    services.flatMap((service) =>
      Object.entries(documents[service].paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ service, path, method, operation })))
    )

  test("every operation's generated sample body, sent as Swagger UI would, is not refused as invalid", async () => {
    const refused: Array<string> = []
    for (const { service, path, method, operation } of operations()) {
      const schema = operation.requestBody?.content?.["application/json"]?.schema
      if (!schema) continue
      let sample: unknown
      try {
        sample = swaggerSample(schema)
      } catch (error) {
        refused.push(`${service} ${method} ${path}: ${(error as Error).message}`)
        continue
      }
      // Path parameters get their examples (a made-up id may well be 404, never 422).
      const parameters = (operation.parameters ?? []) as Array<Json>
      const concrete = path.replace(/\{(\w+)\}/g, (_, name) => {
        const parameter = parameters.find((p) => p.in === "path" && p.name === name)
        return encodeURIComponent(String(parameter?.schema?.examples?.[0] ?? parameter?.example ?? "3fa85f64-5717-4562-b3fc-2c963f66afa6"))
      })
      const response = await request(all.apps[service], method.toUpperCase(), concrete, sample, all.adminHeaders)
      if (response.status === 422 || response.status === 400) refused.push(`${service} ${method} ${path} → ${response.status} ${(await response.text()).slice(0, 300)}`)
    }
    expect(refused).toEqual([])
  }, 60_000)

  test("bodies are JSON only: no form or multipart types offered; the imports alone take CSV or NDJSON", () => {
    const offered = operations().flatMap(({ service, path, method, operation }) =>
      Object.keys(operation.requestBody?.content ?? {}).filter((type) => type !== "application/json").map((type) => `${service} ${method} ${path}: ${type}`)
    )
    expect(offered).toEqual([
      "reward post /imports/opening-balances: text/csv",
      "reward post /imports/opening-balances: application/x-ndjson",
      "fulfillment post /imports/purchases: text/csv",
      "fulfillment post /imports/purchases: application/x-ndjson"
    ])
  })

  test("each import's documented CSV and NDJSON examples, sent as Swagger UI would, are imported with nothing refused", async () => {
    const results: Array<string> = []
    for (const { service, path, method, operation } of operations()) {
      for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Record<string, Json>)) {
        if (type === "application/json") continue
        const response = await all.apps[service].handle(new Request(`http://localhost${path}?tenant=meiwei`, {
          method: method.toUpperCase(),
          headers: { "content-type": type, ...all.adminHeaders },
          body: media.example as string
        }))
        const report = (await response.json()) as Json
        results.push(`${service} ${path} ${type}: ${response.status} refused ${report.refused}`)
      }
    }
    expect(results).toEqual([
      "reward /imports/opening-balances text/csv: 201 refused 0",
      "reward /imports/opening-balances application/x-ndjson: 201 refused 0",
      "fulfillment /imports/purchases text/csv: 201 refused 0",
      "fulfillment /imports/purchases application/x-ndjson: 201 refused 0"
    ])
  })

  test("every operation that needs a credential documents 401 and 403", () => {
    const missing = operations()
      .filter(({ path }) => !publicRoutes.has(path))
      .flatMap(({ service, path, method, operation }) => ["401", "403"].filter((status) => !operation.responses?.[status]).map((status) => `${service} ${method} ${path}: ${status}`))
    expect(missing).toEqual([])
  })

  test("query parameters are typed as what they hold: limits and offsets are integers", () => {
    const wrong = operations().flatMap(({ service, path, method, operation }) =>
      ((operation.parameters ?? []) as Array<Json>)
        .filter((p) => p.in === "query" && ["limit", "offset"].includes(p.name))
        .filter((p) => p.schema?.type !== "integer")
        .map((p) => `${service} ${method} ${path} ?${p.name}: ${JSON.stringify(p.schema)}`)
    )
    expect(wrong).toEqual([])
  })

  test("each page says first where to sign in, and a browser opening a service lands on its Swagger UI", async () => {
    for (const service of services) {
      expect((documents[service] as unknown as { info: { description: string } }).info.description).toContain("Sign in first")
      const root = await request(all.apps[service], "GET", "/")
      expect(`${root.status} ${root.headers.get("location")}`).toBe("302 /swagger")
    }
  })
})
