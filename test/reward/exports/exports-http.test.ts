import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import { anonymousApp, request, withHeaders } from "../../support/app.ts"
import { type AuthRuntime, headersOf } from "../../support/credentials.ts"
import { type Harness, lifecycleHarness } from "../lifecycle/harness.ts"
import { parseCsv } from "../../support/csv.ts"

const day = 86_400_000
const start = Date.parse("2026-01-01T00:00:00Z")
// Batches of exactly 1,000 events (the harness numbers their offsets by batch).
const users = 3000
const perUser = 2

describe("exports of the ledger and the balances", () => {
  let h: Harness

  beforeAll(async () => {
    h = await lifecycleHarness(["exp-a", "exp-b"])
    // Two credits per user, a day apart, with exact decimals: more rows than one page of the export.
    for (let round = 0; round < perUser; round++) {
      const events = Array.from({ length: users }, (_, i) => ({ tenant: "exp-a", userId: `u${String(i).padStart(5, "0")}`, eventId: `e-${round}-${i}`, points: "12.3456", at: start + round * day }))
      for (let i = 0; i < events.length; i += 1000) await h.credit(events.slice(i, i + 1000))
    }
    await h.credit([{ tenant: "exp-b", userId: "b-only", eventId: "b-1", points: "7", at: start }])
    const adjusted = await h.request("POST", "/user-rewards/u00000/adjustments", { tenant: "exp-a", points: 1.5, reason: 'goodwill, "sorry"\nsecond line', idempotencyKey: "adj-1" })
    expect(adjusted.status).toBe(201)
  }, 120_000)
  afterAll(async () => {
    await h?.close()
  })

  test("the ledger as NDJSON: every entry of the tenant once, oldest first, amounts exact", async () => {
    const response = await h.request("GET", "/exports/ledger?tenant=exp-a&format=ndjson")
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toStartWith("application/x-ndjson")
    expect(response.headers.get("content-disposition")).toContain("ledger.ndjson")
    const lines = (await response.text()).split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, string | null>)
    const credits = lines.filter((entry) => entry.kind === "credit")
    expect(credits).toHaveLength(users * perUser)
    const [stored] = await (await h.sql())<Array<{ n: number }>>`select count(*)::int as n from reward.ledger where tenant = 'exp-a'`
    expect(lines).toHaveLength(stored!.n)
    expect(lines.every((entry) => entry.tenant === "exp-a")).toBe(true)
    const ids = lines.map((entry) => BigInt(entry.id!))
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true)
    expect(new Set(credits.map((entry) => entry.amount))).toEqual(new Set(["12.3456"]))
    expect(credits[0]).toMatchObject({ userId: "u00000", occurredAt: "2026-01-01T00:00:00.000Z", eventId: "e-0-0" })
  })

  test("the ledger as CSV: a header, quoted cells that hold separators, quotes and line breaks, and a period of event time", async () => {
    const response = await h.request("GET", `/exports/ledger?tenant=exp-a&from=2026-01-02T00:00:00Z&to=2026-01-03T00:00:00Z`)
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toStartWith("text/csv")
    const [header, ...rows] = parseCsv(await response.text())
    expect(header).toEqual(["id", "tenant", "userId", "kind", "amount", "balanceAfter", "occurredAt", "createdAt", "rewardId", "campaignId", "eventId", "causeEventId", "orderId", "redemptionId", "reason"])
    // The second round only (its event time is the second day), and the adjustment, which has none and was written today, is outside.
    expect(rows).toHaveLength(users)
    expect(rows.every((row) => row[6] === "2026-01-02T00:00:00.000Z")).toBe(true)

    const all = parseCsv(await (await h.request("GET", "/exports/ledger?tenant=exp-a")).text())
    const adjustment = all.find((row) => row[3] === "adjustment")!
    expect(adjustment[4]).toBe("1.5000")
    expect(adjustment[14]).toBe('goodwill, "sorry"\nsecond line')
  })

  test("the balances: every user of the tenant by user id, exact, across pages", async () => {
    const rows = (await (await h.request("GET", "/exports/balances?tenant=exp-a&format=ndjson")).text()).split("\n").filter(Boolean).map((line) => JSON.parse(line) as { userId: string; points: string })
    expect(rows).toHaveLength(users)
    expect(rows[0]).toMatchObject({ userId: "u00000", points: "26.1912" })
    expect(rows[1]).toMatchObject({ userId: "u00001", points: "24.6912" })
    expect(rows.map((row) => row.userId)).toEqual([...rows.map((row) => row.userId)].sort())
    const csv = parseCsv(await (await h.request("GET", "/exports/balances?tenant=exp-b")).text())
    expect(csv).toEqual([["tenant", "userId", "points", "updatedAt"], ["exp-b", "b-only", "7.0000", expect.any(String)]])
  })

  test("bad parameters are refused naming the field; another tenant's data is never exported", async () => {
    for (const [query, field] of [["tenant=exp-a&format=xml", "format"], ["tenant=exp-a&from=yesterday", "from"], ["tenant=exp-a&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"], ["", "tenant"]] as const) {
      const response = await h.request("GET", `/exports/ledger?${query}`)
      expect(`${query} ${response.status}`).toBe(`${query} 422`)
      expect(((await response.json()) as { field: string }).field).toBe(field)
    }
    const b = withHeaders(await anonymousApp(h.runtime, "reward", rewardService.routes), await headersOf(h.runtime as unknown as AuthRuntime, "tenant-admin", "exp-b"))
    const crossed = await request(b, "GET", "/exports/ledger?tenant=exp-a")
    expect(crossed.status).toBe(422)
    expect(await crossed.text()).not.toContain("u00000")
    const own = (await (await request(b, "GET", "/exports/ledger?format=ndjson")).text()).split("\n").filter(Boolean).map((line) => JSON.parse(line) as { tenant: string })
    expect(own.map((entry) => entry.tenant)).toEqual(["exp-b"])
    const balances = await (await request(b, "GET", "/exports/balances")).text()
    expect(balances).not.toContain("exp-a")
    const anonymous = await request(await anonymousApp(h.runtime, "reward", rewardService.routes), "GET", "/exports/balances?tenant=exp-a")
    expect(anonymous.status).toBe(401)
  })
})
