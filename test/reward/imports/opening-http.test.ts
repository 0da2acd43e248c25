import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import { anonymousApp, withHeaders } from "../../support/app.ts"
import { type AuthRuntime, headersOf } from "../../support/credentials.ts"
import { day, type Harness, lifecycleHarness, t0 } from "../lifecycle/harness.ts"

const csv = "text/csv"
const ndjson = "application/x-ndjson"

const upload = (h: Harness | { app: Harness["app"] }, path: string, body: string | ReadableStream<Uint8Array>, contentType: string, headers: Record<string, string> = {}) =>
  h.app.handle(new Request(`http://localhost${path}`, { method: "POST", headers: { "content-type": contentType, ...headers }, body }))

const json = async (response: Response) => (await response.json()) as any

describe("opening balances imported as CSV or NDJSON", () => {
  let h: Harness

  beforeAll(async () => {
    h = await lifecycleHarness(["imp-a", "imp-b", "imp-prog"])
  }, 60_000)
  afterAll(async () => {
    await h?.close()
  })

  test("CSV with quoted fields: each row a ledger entry of kind opening and a lot, exact decimals; refused rows with line, field and reason", async () => {
    const body = [
      "userId,points,occurredAt,reason",
      "ada,0.0001,,first",
      '"lee, the second",1234567890.1234,2026-01-01T00:00:00Z,"said ""hi""\nover two lines"',
      "bad-points,-5,,",
      "no-time,5,yesterday,",
      "cells,1,2,3,4",
      ",7,,",
      "zed,12.50,,",
      ""
    ].join("\r\n")
    const response = await upload(h, "/imports/opening-balances?tenant=imp-a", body, csv)
    expect(response.status).toBe(201)
    const report = await json(response)
    expect(report).toMatchObject({ tenant: "imp-a", kind: "opening-balances", status: "finished", read: 7, applied: 3, duplicates: 0, refused: 4 })
    expect(report.refusals).toEqual([
      { line: 5, field: "points", reason: expect.stringContaining("decimal") },
      { line: 6, field: "occurredAt", reason: expect.stringContaining("ISO-8601") },
      { line: 7, field: null, reason: "the row has 5 cells, the header 4" },
      { line: 8, field: "userId", reason: expect.any(String) }
    ])
    expect((await h.balance("imp-a", "ada")).points).toBe(0.0001)
    const [lee] = await h.ledger("imp-a", "lee, the second", "opening")
    expect(lee).toMatchObject({ kind: "opening", amount: 1234567890.1234, reason: 'said "hi"\nover two lines' })
    const [stored] = await (await h.sql())<Array<{ amount: string; lot_key: string }>>`
      select l.amount::text as amount, lots.lot_key from reward.ledger l join reward.lots on lots.id = l.lot_id where l.tenant = 'imp-a' and l.user_id = 'lee, the second'`
    expect(stored).toEqual({ amount: "1234567890.1234", lot_key: "opening:lee, the second" })
    expect((await h.lots("imp-a", "zed"))[0]).toMatchObject({ points: "12.5000", remaining: "12.5000", pending: false })

    const job = await json(await h.request("GET", `/imports/${report.id}?tenant=imp-a`))
    expect(job).toMatchObject({ id: report.id, status: "finished", read: 7, applied: 3, refused: 4, startedBy: { kind: "operator" } })
  })

  test("NDJSON, then the same file again: all duplicates, nothing twice; a different amount for the same user is refused", async () => {
    const lines = [
      JSON.stringify({ userId: "n1", points: "10.5", reason: "from the old shop" }),
      JSON.stringify({ userId: "n2", points: 3 }),
      "{not json",
      "[1,2]",
      JSON.stringify({ userId: "n3", points: "2", tenant: "imp-b" }),
      ""
    ].join("\n")
    const first = await json(await upload(h, "/imports/opening-balances?tenant=imp-a", lines, ndjson))
    expect(first).toMatchObject({ status: "finished", read: 5, applied: 2, duplicates: 0, refused: 3 })
    expect(first.refusals).toEqual([
      { line: 3, field: null, reason: "the line is not valid JSON" },
      { line: 4, field: null, reason: "the line is not a JSON object" },
      { line: 5, field: "tenant", reason: "the row is of tenant imp-b, the import of imp-a" }
    ])
    const again = await json(await upload(h, "/imports/opening-balances?tenant=imp-a", lines, ndjson))
    expect(again).toMatchObject({ status: "finished", read: 5, applied: 0, duplicates: 2, refused: 3 })
    expect(await h.ledger("imp-a", "n1", "opening")).toHaveLength(1)
    expect((await h.balance("imp-a", "n1")).points).toBe(10.5)

    const conflicting = await json(await upload(h, "/imports/opening-balances?tenant=imp-a", "userId,points\nn1,11\nn1,11\nnew,1\nnew,2\n", csv))
    expect(conflicting).toMatchObject({ applied: 1, duplicates: 0, refused: 3 })
    expect(conflicting.refusals.map((r: any) => [r.line, r.field])).toEqual([[2, "points"], [3, "points"], [5, "points"]])
    expect(conflicting.refusals[0].reason).toContain("already has an opening balance of 10.5")
    expect((await h.balance("imp-a", "n1")).points).toBe(10.5)
    expect((await h.balance("imp-a", "new")).points).toBe(1)
    // Nothing of imp-b was touched by the row that named it.
    expect(await h.ledger("imp-b", "n3")).toEqual([])
  })

  test("the tenant's program: pending and expiry count from occurredAt, and the opening counts toward the tier", async () => {
    await h.program("imp-prog", { pending_days: 10, points_expire_after: "P30D", tiers: [{ name: "gold", min_points: 100, multiplier: 2 }] })
    const at = (ms: number) => new Date(ms).toISOString()
    const body = `userId,points,occurredAt\nfresh,150,${at(t0 - 2 * day)}\nripe,40,${at(t0 - 12 * day)}\nold,30,${at(t0 - 40 * day)}\n`
    const report = await json(await upload(h, "/imports/opening-balances?tenant=imp-prog", body, csv))
    expect(report).toMatchObject({ applied: 3, refused: 0 })
    // Two days old: still pending for eight days, and it reached the tier.
    expect(await h.balance("imp-prog", "fresh")).toMatchObject({ points: 0, pending: 150, tier: "gold" })
    expect((await h.lots("imp-prog", "fresh"))[0]).toMatchObject({ pending: true })
    // Twelve days old: already spendable.
    expect(await h.balance("imp-prog", "ripe")).toMatchObject({ points: 40, pending: 0 })
    expect((await h.ledger("imp-prog", "ripe")).map((e) => e.kind).sort()).toEqual(["activation", "opening"])
    // Forty days old: expired on import, as the program says.
    expect(await h.balance("imp-prog", "old")).toMatchObject({ points: 0, pending: 0 })
    expect((await h.ledger("imp-prog", "old")).map((e) => e.kind).sort()).toEqual(["activation", "expiry", "opening"])
    // The job moves pending points over when their day comes, like any credit's.
    await h.job(t0 + 9 * day)
    expect(await h.balance("imp-prog", "fresh")).toMatchObject({ points: 150, pending: 0 })
  })

  test("other media types are 415, a tenant outside the caller's is refused, another tenant's import is not found", async () => {
    const json415 = await h.request("POST", "/imports/opening-balances?tenant=imp-a", { userId: "x", points: 1 })
    expect(json415.status).toBe(415)
    const text415 = await upload(h, "/imports/opening-balances?tenant=imp-a", "userId,points\nx,1\n", "text/plain")
    expect(text415.status).toBe(415)
    const bHeaders = await headersOf(h.runtime as unknown as AuthRuntime, "tenant-admin", "imp-b")
    const b = withHeaders(await anonymousApp(h.runtime, "reward", rewardService.routes), bHeaders)
    const crossed = await upload({ app: b }, "/imports/opening-balances?tenant=imp-a", "userId,points\nintruder,1\n", csv)
    expect(crossed.status).toBe(403)
    expect(await h.ledger("imp-a", "intruder")).toEqual([])
    // Without ?tenant= a tenant admin imports into their own tenant.
    const own = await json(await upload({ app: b }, "/imports/opening-balances", "userId,points\nb-user,4\n", csv))
    expect(own).toMatchObject({ tenant: "imp-b", applied: 1 })
    const mine = await json(await upload(h, "/imports/opening-balances?tenant=imp-a", "userId,points\nsomeone,1\n", csv))
    const hidden = await b.handle(new Request(`http://localhost/imports/${mine.id}`))
    expect(hidden.status).toBe(404)
    const hiddenRefusals = await b.handle(new Request(`http://localhost/imports/${mine.id}/refusals?tenant=imp-a`))
    expect(hiddenRefusals.status).toBe(422)
    const viewer = withHeaders(await anonymousApp(h.runtime, "reward", rewardService.routes), await headersOf(h.runtime as unknown as AuthRuntime, "tenant-viewer", "imp-a"))
    expect((await upload({ app: viewer }, "/imports/opening-balances", "userId,points\nv,1\n", csv)).status).toBe(403)
  })

  test("a header without a required column or with an unknown one is refused whole, naming it", async () => {
    for (const [header, field] of [["userId", "points"], ["userId,points,colour", "colour"], ["userId,points,points", "points"]] as const) {
      const response = await upload(h, "/imports/opening-balances?tenant=imp-a", `${header}\nq,1\n`, csv)
      expect(`${header} ${response.status}`).toBe(`${header} 422`)
      expect((await json(response)).field).toBe(field)
    }
    expect(await h.ledger("imp-a", "q")).toEqual([])
  })

  test("a body that is not UTF-8 is refused (400) and its job failed; posting again with its id finishes that job; a finished job's id is refused (409)", async () => {
    const id = crypto.randomUUID()
    const pieces = [new TextEncoder().encode("userId,points\nutf,1\n"), new Uint8Array([0xff, 0xfe, 0x0a])]
    const body = new ReadableStream<Uint8Array>({ pull: (controller) => (pieces.length > 0 ? controller.enqueue(pieces.shift()!) : controller.close()) })
    const response = await h.app.handle(new Request(`http://localhost/imports/opening-balances?tenant=imp-a&id=${id}`, { method: "POST", headers: { "content-type": csv }, body, duplex: "half" } as RequestInit))
    expect(response.status).toBe(400)
    expect(await json(response)).toMatchObject({ error: "ImportBroken", reason: "the body is not UTF-8 text" })
    expect(await json(await h.request("GET", `/imports/${id}?tenant=imp-a`))).toMatchObject({ status: "failed", failure: "the body is not UTF-8 text", applied: 0 })
    const again = await upload(h, `/imports/opening-balances?tenant=imp-a&id=${id}`, "userId,points\nutf,1\n", csv)
    expect(again.status).toBe(201)
    expect(await json(again)).toMatchObject({ id, status: "finished", read: 1, applied: 1, failure: null })
    const reused = await upload(h, `/imports/opening-balances?tenant=imp-a&id=${id}`, "userId,points\nreused,1\n", csv)
    expect(reused.status).toBe(409)
    expect(await h.ledger("imp-a", "reused")).toEqual([])
    // Another tenant cannot take over or learn anything from an id of tenant imp-a's.
    const bHeaders = await headersOf(h.runtime as unknown as AuthRuntime, "tenant-admin", "imp-b")
    const b = withHeaders(await anonymousApp(h.runtime, "reward", rewardService.routes), bHeaders)
    const taken = await upload({ app: b }, `/imports/opening-balances?id=${id}`, "userId,points\nb2,1\n", csv)
    expect(taken.status).toBe(409)
    expect(await json(await h.request("GET", `/imports/${id}?tenant=imp-a`))).toMatchObject({ tenant: "imp-a", read: 1, applied: 1 })
  })

  test("a re-post of an import whose upload is still being applied is refused (409) and changes nothing of it", async () => {
    const id = crypto.randomUUID()
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const pieces = [new TextEncoder().encode("userId,points\nslow-1,5\n")]
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (pieces.length > 0) return controller.enqueue(pieces.shift()!)
        await held
        controller.enqueue(new TextEncoder().encode("slow-2,7\n"))
        controller.close()
      }
    })
    const first = h.app.handle(new Request(`http://localhost/imports/opening-balances?tenant=imp-a&id=${id}`, { method: "POST", headers: { "content-type": csv }, body, duplex: "half" } as RequestInit))
    for (let i = 0; i < 100; i++) {
      const status = await h.request("GET", `/imports/${id}?tenant=imp-a`)
      if (status.status === 200 && (await json(status)).status === "running") break
      await Bun.sleep(20)
    }
    const second = await upload(h, `/imports/opening-balances?tenant=imp-a&id=${id}`, "userId,points\nintruder-2,1\n", csv)
    expect(second.status).toBe(409)
    expect(await json(second)).toMatchObject({ error: "ImportRunning" })
    release()
    const report = await json(await first)
    expect(report).toMatchObject({ id, status: "finished", read: 2, applied: 2 })
    expect(await h.balance("imp-a", "slow-2")).toMatchObject({ points: 7 })
    expect(await h.ledger("imp-a", "intruder-2")).toEqual([])
  })

  test("refusals page by line with the { items, nextCursor } envelope", async () => {
    const rows = Array.from({ length: 250 }, (_, i) => `r${i},${i % 2 === 0 ? "-1" : "1"}`)
    const report = await json(await upload(h, "/imports/opening-balances?tenant=imp-a", `userId,points\n${rows.join("\n")}\n`, csv))
    expect(report).toMatchObject({ read: 250, applied: 125, refused: 125 })
    expect(report.refusals).toHaveLength(100)
    const lines: Array<number> = []
    let cursor: string | null = null
    do {
      const page: any = await json(await h.request("GET", `/imports/${report.id}/refusals?tenant=imp-a&limit=50${cursor ? `&cursor=${cursor}` : ""}`))
      lines.push(...page.items.map((item: any) => item.line))
      cursor = page.nextCursor
    } while (cursor)
    expect(lines).toEqual(Array.from({ length: 125 }, (_, i) => 2 + 2 * i))
  })
})

describe("the import cap", () => {
  let h: Harness
  beforeAll(async () => {
    h = await lifecycleHarness(["cap-a"], { importMaxBytes: 64 * 1024 })
  }, 60_000)
  afterAll(async () => {
    await h?.close()
  })

  test("413 for a body declared over the cap, before anything is applied; a streamed one past it stops, its whole batches kept", async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `user-${i},1`).join("\n")
    const whole = `userId,points\n${rows}\n`
    const declared = await upload(h, "/imports/opening-balances?tenant=cap-a", whole, csv, { "content-length": String(Buffer.byteLength(whole)) })
    expect(declared.status).toBe(413)
    const [{ n }] = (await (await h.sql())<Array<{ n: number }>>`select count(*)::int as n from reward.imports`) as unknown as [{ n: number }]
    expect(n).toBe(0)

    const bytes = new TextEncoder().encode(`userId,points\n${rows}\n`)
    const streamed = new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096))
        controller.close()
      }
    })
    const response = await h.app.handle(new Request("http://localhost/imports/opening-balances?tenant=cap-a", { method: "POST", headers: { "content-type": csv }, body: streamed, duplex: "half" } as RequestInit))
    expect(response.status).toBe(413)
    const [job] = await (await h.sql())<Array<{ status: string; rows_applied: number }>>`select status, rows_applied::int from reward.imports`
    expect(job!.status).toBe("failed")
    expect(job!.rows_applied % 1000).toBe(0)
    const [{ lots }] = (await (await h.sql())<Array<{ lots: number }>>`select count(*)::int as lots from reward.lots where tenant = 'cap-a'`) as unknown as [{ lots: number }]
    expect(lots).toBe(job!.rows_applied)
  })
})
