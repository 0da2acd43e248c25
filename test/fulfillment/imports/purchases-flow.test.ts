import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import postgres from "postgres"
import { api, eventually, kafkaClient, readTopic } from "../../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, testAdmin, waitStarted } from "../../support/process.ts"

const ids = {
  rewardA: "aaaaaaaa-1111-4111-8111-00000000000a",
  breadA: "aaaaaaaa-2222-4222-8222-00000000000a",
  rewardB: "bbbbbbbb-1111-4111-8111-00000000000b",
  breadB: "bbbbbbbb-2222-4222-8222-00000000000b"
}

const csv = [
  "eventId,orderId,userId,occurredAt,product,amount,currency",
  ",order-1,ann,2025-11-30T09:30:00Z,bread,5,EUR",
  "order-2-line-1,order-2,bob,2025-11-30T10:00:00Z,bread,3,EUR",
  "order-2-line-2,order-2,bob,2025-11-30T10:00:00Z,\"bread, rye\",2,EUR",
  ",,eve,2025-11-30T11:00:00Z,bread,1,",
  ",order-3,eve,,bread,1,",
  ",order-4,eve,2025-11-30T11:00:00Z,bread,abc,",
  // The same purchase twice in one file: sent once, the second a duplicate.
  "order-2-line-1,order-2,bob,2025-11-30T10:00:00Z,bread,3,EUR",
  ""
].join("\r\n")

describe("historical purchases imported through the same path as POST /events/buy", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  let sql: ReturnType<typeof postgres>
  const http = () => api(lt)
  const points = async (tenant: string, user: string) => (await http().balances(tenant))[user] ?? 0
  /** Messages ever produced to `buy`, of every tenant: the sum of its partitions' end offsets. */
  const buysProduced = async () => {
    const admin = kafkaClient(`127.0.0.1:${lt.ports.broker}`).admin()
    await admin.connect()
    try {
      return (await admin.fetchTopicOffsets("buy")).reduce((sum, partition) => sum + Number(partition.high), 0)
    } finally {
      await admin.disconnect()
    }
  }
  const post = async (body: string, contentType: string, tenant = "imp-shop", headers: Record<string, string> = {}, id?: string) => {
    const login = await fetch(`http://127.0.0.1:${lt.ports.user}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(testAdmin) })
    const { accessToken } = (await login.json()) as { accessToken: string }
    const response = await fetch(`http://127.0.0.1:${lt.ports.fulfillment}/imports/purchases?tenant=${tenant}${id === undefined ? "" : `&id=${id}`}`, {
      method: "POST",
      headers: { "content-type": contentType, authorization: `Bearer ${accessToken}`, ...headers },
      body
    })
    return { status: response.status, body: (await response.json()) as any }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    // A short stale horizon: every import here beats every 500 ms, and stopped ones are swept within seconds.
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, LOYALTEA_IMPORT_STALE_SECONDS: "2" })
    await waitStarted(lt)
    sql = postgres(database.url, { max: 2, onnotice: () => {} })
    const h = http()
    for (const [tenant, reward, bread] of [["imp-shop", ids.rewardA, ids.breadA], ["imp-other", ids.rewardB, ids.breadB]] as const) {
      await h.create("user", "/tenants", { id: tenant, name: tenant })
      await h.create("reward", "/rewards/", { tenant, reward_id: reward, reward_points: 10 })
      await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: bread, name: "bread", product: "bread", amount: 1 })
      await h.create("campaign", "/campaign", { tenant, name: "bread", fulfillments: [bread], rewards: [reward] })
    }
  }, 90_000)
  afterAll(async () => {
    await sql?.end()
    await lt?.stop()
    await database?.drop()
  })

  test("each valid row is credited through the whole pipeline once; invalid rows are refused with line, field and reason; a re-import is all duplicates, sends and credits nothing", async () => {
    const first = await eventually(() => post(csv, "text/csv"), (r) => r.status === 201, 15_000)
    expect(first.body).toMatchObject({ tenant: "imp-shop", kind: "purchases", status: "finished", read: 7, applied: 3, duplicates: 1, refused: 3 })
    expect(first.body.refusals).toEqual([
      { line: 5, field: "eventId", reason: expect.stringContaining("eventId or an orderId") },
      { line: 6, field: "occurredAt", reason: "required: when the purchase happened" },
      { line: 7, field: "amount", reason: expect.any(String) }
    ])
    // "bread, rye" is not the fulfillment's product: bob's second line earns nothing; ann's and bob's first, one reward each.
    expect(await eventually(async () => [await points("imp-shop", "ann"), await points("imp-shop", "bob")], ([a, b]) => a === 10 && b === 10)).toEqual([10, 10])
    const buys = (await readTopic(`127.0.0.1:${lt.ports.broker}`, "buy", 3, 10_000)).map((m) => JSON.parse(m.value))
    expect(buys.find((b) => b.eventId === "order-1")).toMatchObject({ tenant: "imp-shop", userId: "ann", occurredAt: "2025-11-30T09:30:00Z", amount: 5, currency: "EUR" })

    expect(await buysProduced()).toBe(3)

    const again = await post(csv, "text/csv")
    expect(again.body).toMatchObject({ status: "finished", read: 7, applied: 0, duplicates: 4, refused: 3 })
    // The same purchase in the other format is the same event id: a duplicate too.
    const ndjson = `${JSON.stringify({ orderId: "order-1", userId: "ann", occurredAt: "2025-11-30T09:30:00Z", product: "bread", amount: 5 })}\n`
    expect((await post(ndjson, "application/x-ndjson")).body).toMatchObject({ applied: 0, duplicates: 1, refused: 0 })
    expect(await buysProduced()).toBe(3)
    await Bun.sleep(3000)
    expect([await points("imp-shop", "ann"), await points("imp-shop", "bob")]).toEqual([10, 10])

    // Another tenant's purchases with the same event ids are its own: applied, not duplicates of imp-shop's.
    const other = await post(csv, "text/csv", "imp-other")
    expect(other.body).toMatchObject({ tenant: "imp-other", status: "finished", read: 7, applied: 3, duplicates: 1, refused: 3 })
    expect(await eventually(async () => [await points("imp-other", "ann"), await points("imp-other", "bob")], ([a, b]) => a === 10 && b === 10)).toEqual([10, 10])
    expect(await buysProduced()).toBe(6)
    expect([await points("imp-shop", "ann"), await points("imp-shop", "bob")]).toEqual([10, 10])
  }, 90_000)

  test("rows naming another tenant are refused and touch nothing of it; other media types are 415", async () => {
    const crossing = "userId,amount,occurredAt,orderId,product,tenant\nmallory,5,2025-11-30T09:30:00Z,x-1,bread,imp-other\n"
    const refused = await post(crossing, "text/csv")
    expect(refused.body).toMatchObject({ applied: 0, refused: 1 })
    expect(refused.body.refusals[0]).toMatchObject({ line: 2, field: "tenant" })
    expect((await post("[]", "application/json")).status).toBe(415)
    await Bun.sleep(2000)
    expect(await points("imp-other", "mallory")).toBe(0)
  }, 60_000)

  test("a purchases import left running by a process that stopped is swept to failed by the fulfillment service; re-posted with its id it finishes", async () => {
    const id = randomUUID()
    // The row a killed process leaves: running, its last batch committed a while ago.
    await sql`insert into fulfillment.imports (id, tenant, kind, rows_read, rows_applied, updated_at) values (${id}, 'imp-shop', 'purchases', 1000, 1000, now() - interval '10 seconds')`
    const job = async () => (await http().call("fulfillment", "GET", `/imports/${id}?tenant=imp-shop`)).body
    const swept = await eventually(job, (j) => j?.status !== "running", 15_000)
    expect(swept).toMatchObject({ status: "failed", applied: 1000 })
    expect(swept.failure).toContain("the process applying the import stopped")
    const body = "eventId,userId,amount,occurredAt,product\nswept-1,sam,5,2025-11-30T09:30:00Z,bread\n"
    const finished = await post(body, "text/csv", "imp-shop", {}, id)
    expect(finished.status).toBe(201)
    expect(finished.body).toMatchObject({ id, status: "finished", read: 1, applied: 1, duplicates: 0, failure: null })
    expect(await eventually(() => points("imp-shop", "sam"), (p) => p === 10)).toBe(10)
  }, 60_000)
})
