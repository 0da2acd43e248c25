import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import postgres from "postgres"
import { request } from "../support/app.ts"
import { allServices, type Route } from "./all-services.ts"
import { fixtures } from "./route-fixtures.ts"

const injections = [
  "x'); drop table reward.ledger; --",
  "' or '1'='1",
  "\"; delete from users.operators where ''='",
  "$1); select pg_sleep(10); --",
  "\u0000\u0007 nul and bell",
  "👀 ünïcödé <script>alert(1)</script>"
]

const propertiesOf = (route: Route): Record<string, { readonly type?: unknown; readonly enum?: unknown }> =>
  route.body?.properties ?? route.body?.anyOf?.find((alternative) => alternative.properties)?.properties ?? {}

const stringFields = (route: Route) =>
  Object.entries(propertiesOf(route))
    .filter(([, schema]) => schema.type === "string")
    .map(([name]) => name)

describe("hostile input in every text field of every route", () => {
  let services: Awaited<ReturnType<typeof allServices>>
  const create = (service: string, path: string, body: unknown, idField: string) => services.create(service, path, body, idField)
  const withBodies = () => services.routes.filter((route) => stringFields(route).length > 0)

  beforeAll(async () => {
    services = await allServices()
  }, 60_000)
  afterAll(async () => {
    await services?.close()
  })

  const state = async () => {
    const sql = postgres(services.database.url, { max: 1, onnotice: () => {} })
    const [row] = await sql<Array<{ ledger: boolean; operators: number }>>`
      select to_regclass('reward.ledger') is not null as ledger, (select count(*)::int from users.operators) as operators`
    await sql.end()
    return row!
  }

  test("SQL and control characters are stored literally or refused with 4xx, never executed", async () => {
    const before = await state()
    const wrong: Array<string> = []
    for (const route of withBodies()) {
      for (const field of stringFields(route)) {
        for (const payload of injections) {
          const call = await fixtures[`${route.method} ${route.path}`]!(create)
          const body = { ...(call.body as Record<string, unknown>), [field]: payload }
          const response = await request(services.apps[route.service], route.method.toUpperCase(), call.path, body, services.adminHeaders)
          const text = await response.text()
          if (response.status >= 500) wrong.push(`${route.method} ${call.path} ${field}=${JSON.stringify(payload)} → ${response.status}`)
          if (response.status < 300 && text) {
            const echoed = (JSON.parse(text) as Record<string, unknown>)[field]
            if (echoed !== undefined && echoed !== payload) wrong.push(`${route.method} ${call.path} ${field} came back as ${JSON.stringify(echoed)}`)
          }
        }
      }
    }
    expect(wrong).toEqual([])
    // Nothing was executed: the tables the payloads aimed at are still there, and no row went missing.
    const after = await state()
    expect(after.ledger).toBe(true)
    expect(after.operators).toBeGreaterThanOrEqual(before.operators)
  }, 120_000)

  test("an oversized value in any text field is refused with 422 naming it; an oversized body with 413", async () => {
    const wrong: Array<string> = []
    for (const route of withBodies()) {
      for (const field of stringFields(route)) {
        const call = await fixtures[`${route.method} ${route.path}`]!(create)
        const body = { ...(call.body as Record<string, unknown>), [field]: "x".repeat(100_000) }
        const response = await request(services.apps[route.service], route.method.toUpperCase(), call.path, body, services.adminHeaders)
        // Login, refresh and introspection never say which field was wrong (401), but they must not store or crash.
        const acceptable = response.status === 422 || (route.access === "public" && (response.status === 401 || response.status === 429))
        if (!acceptable) wrong.push(`${route.method} ${call.path} ${field} (100 000 chars) → ${response.status}`)
        else if (response.status === 422) {
          const answer = (await response.json()) as { field?: string }
          if (answer.field !== field) wrong.push(`${route.method} ${call.path}: 422 names ${answer.field}, not ${field}`)
        }
      }
    }
    expect(wrong).toEqual([])
    const huge = await request(services.apps.reward, "POST", "/rewards/", { tenant: "tenant-a", reward_points: 1, name: "y".repeat(2_000_000) }, services.adminHeaders)
    expect(huge.status).toBe(413)
  }, 120_000)

  /** Every text value stored anywhere that holds U+FFFD, which is what a lone surrogate becomes in PostgreSQL. */
  const replacementCharacters = async () => {
    const sql = postgres(services.database.url, { max: 1, onnotice: () => {} })
    try {
      const columns = await sql<Array<{ table_schema: string; table_name: string; column_name: string }>>`
        select table_schema, table_name, column_name from information_schema.columns
        where table_schema in ('campaign', 'reward', 'fulfillment', 'users') and data_type in ('text', 'character varying', 'jsonb', 'json')`
      const found: Array<string> = []
      for (const c of columns) {
        const [row] = await sql.unsafe<Array<{ n: number }>>(`select count(*)::int as n from "${c.table_schema}"."${c.table_name}" where "${c.column_name}"::text like '%' || chr(65533) || '%'`)
        if (row!.n > 0) found.push(`${c.table_schema}.${c.table_name}.${c.column_name}`)
      }
      return found
    } finally {
      await sql.end()
    }
  }

  test("a lone UTF-16 surrogate in any text field is refused with 422 naming it, and nothing is stored", async () => {
    const wrong: Array<string> = []
    for (const route of withBodies()) {
      for (const field of stringFields(route)) {
        for (const payload of ["sur\ud800", "\udbff", "a\udc00b"]) {
          const call = await fixtures[`${route.method} ${route.path}`]!(create)
          const body = { ...(call.body as Record<string, unknown>), [field]: payload }
          const response = await request(services.apps[route.service], route.method.toUpperCase(), call.path, body, services.adminHeaders)
          const acceptable = response.status === 422 || (route.access === "public" && (response.status === 401 || response.status === 429))
          if (!acceptable) wrong.push(`${route.method} ${call.path} ${field}=${JSON.stringify(payload)} → ${response.status}`)
          else if (response.status === 422) {
            const answer = (await response.json()) as { field?: string; message?: string }
            // A field of fixed values (a role) is refused for not being one of them.
            const because = propertiesOf(route)[field]?.enum ? "Expected" : "well-formed"
            if (answer.field !== field || !answer.message?.includes(because)) wrong.push(`${route.method} ${call.path}: 422 says ${answer.message}`)
          }
        }
      }
    }
    expect(wrong).toEqual([])
    expect(await replacementCharacters()).toEqual([])
  }, 120_000)
})
