import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import postgres from "postgres"
import { type BrokerProcess, startBrokerProcess } from "../../support/broker-process.ts"
import { api, eventually } from "../../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, testAdmin, waitStarted } from "../../support/process.ts"

const tenant = "crash-imp"
const rows = 20_000
const pointsOf = (i: number) => `${(i % 7) + 1}.${String(i % 10_000).padStart(4, "0")}`

/** The CSV of `rows` opening balances, produced a slice at a time and slowly, as a large file uploads. */
const slowCsv = (delayMs: number) => {
  let next = 0
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (next === 0) controller.enqueue(encoder.encode("userId,points,reason\n"))
      if (next >= rows) return controller.close()
      const upTo = Math.min(rows, next + 250)
      let text = ""
      for (; next < upTo; next++) text += `user-${String(next).padStart(6, "0")},${pointsOf(next)},old shop\n`
      controller.enqueue(encoder.encode(text))
      await Bun.sleep(delayMs)
    }
  })
}


describe("an opening-balance import across a SIGKILL of the reward service mid-upload", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  let sql: ReturnType<typeof postgres>
  // Its ports are picked free just before the start; another suite's process can take one in between, so that start is tried again on new ones.
  const start = async (env: Record<string, string> = {}, attempts = 3): Promise<void> => {
    lt = await spawnLoyaltea({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn", ...env })
    try {
      await waitStarted(lt)
    } catch (error) {
      if (attempts <= 1 || !lt.output().includes("cannot listen on port")) throw error
      await lt.stop().catch(() => undefined)
      return start(env, attempts - 1)
    }
  }
  const token = async () => {
    const response = await fetch(`http://127.0.0.1:${lt.ports.user}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(testAdmin) })
    return ((await response.json()) as { accessToken: string }).accessToken
  }
  const post = async (body: ReadableStream<Uint8Array>, id: string) =>
    fetch(`http://127.0.0.1:${lt.ports.reward}/imports/opening-balances?tenant=${tenant}&id=${id}`, {
      method: "POST",
      headers: { "content-type": "text/csv", authorization: `Bearer ${await token()}` },
      body,
      duplex: "half"
    } as RequestInit)

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    await start()
    await api(lt).create("user", "/tenants", { id: tenant, name: tenant })
    sql = postgres(database.url, { max: 2, onnotice: () => {} })
    // The reward service learns the tenant from its topic.
    await eventually(async () => (await sql`select count(*)::int as n from reward.tenants where id = ${tenant}`.catch(() => [{ n: 1 }]))[0]!.n as number, (n) => n > 0, 20_000)
  }, 120_000)
  afterAll(async () => {
    await sql?.end()
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("the killed import leaves whole batches only; a fresh process sweeps it to failed; posting the file again with its id finishes that job, each balance exactly once", async () => {
    const first = randomUUID()
    const upload = post(slowCsv(15), first).catch((error: unknown) => error)
    const progress = async () => (await sql`select status, rows_read::int as read, rows_applied::int as applied from reward.imports where id = ${first}`)[0] as { status: string; read: number; applied: number } | undefined
    // Watched over HTTP as well while it runs.
    const watched = await eventually(async () => (await api(lt).call("reward", "GET", `/imports/${first}?tenant=${tenant}`)).body, (job) => job?.applied >= 1000, 60_000)
    expect(watched).toMatchObject({ status: "running" })
    await eventually(progress, (job) => (job?.applied ?? 0) >= 4000, 60_000)
    lt.proc.kill("SIGKILL")
    await lt.exited
    expect(await upload).toBeInstanceOf(Error)

    const killed = (await progress())!
    expect(killed.status).toBe("running")
    expect(killed.applied % 1000).toBe(0)
    expect(killed.applied).toBeLessThan(rows)
    const stored = async () => (await sql`
      select count(*)::int as lots, count(distinct user_id)::int as users,
             (select count(*)::int from reward.ledger where tenant = ${tenant} and kind = 'opening') as entries
      from reward.lots where tenant = ${tenant} and source = 'opening'`)[0] as { lots: number; users: number; entries: number }
    expect(await stored()).toEqual({ lots: killed.applied, users: killed.applied, entries: killed.applied })

    // A fresh process with a short stale horizon: the job nobody applies any more goes to failed, saying how to finish it.
    const killedAt = Date.now()
    await start({ LOYALTEA_IMPORT_STALE_SECONDS: "2" })
    const swept = await eventually(async () => (await api(lt).call("reward", "GET", `/imports/${first}?tenant=${tenant}`)).body, (job) => job?.status !== "running", 30_000)
    expect(Date.now() - killedAt).toBeGreaterThan(2000)
    expect(swept).toMatchObject({ id: first, status: "failed", applied: killed.applied, finishedAt: expect.any(String) })
    expect(swept.failure).toContain("the process applying the import stopped")
    expect(swept.failure).toContain("post the same body again with the same ?id= to finish it")
    expect(await stored()).toEqual({ lots: killed.applied, users: killed.applied, entries: killed.applied })

    // Applied under the same 2 s horizon: its heartbeat keeps it from being swept while it runs.
    const again = await post(slowCsv(0), first)
    expect(again.status).toBe(201)
    const report = (await again.json()) as { id: string; status: string; read: number; applied: number; duplicates: number; refused: number }
    expect(report).toMatchObject({ id: first, status: "finished", read: rows, applied: rows - killed.applied, duplicates: killed.applied, refused: 0 })
    expect(await stored()).toEqual({ lots: rows, users: rows, entries: rows })
    expect([...(await sql`select count(*)::int as n from reward.imports`)]).toEqual([{ n: 1 }])
    const wrong = await sql`
      select b.user_id, b.points::text from reward.balances b
      where b.tenant = ${tenant} and b.points <> (select sum(amount) from reward.ledger l where l.tenant = b.tenant and l.user_id = b.user_id)`
    expect([...wrong]).toEqual([])
    const sample = await sql`select user_id, points::text as points from reward.balances where tenant = ${tenant} and user_id in ('user-000007', 'user-019999')`
    expect(Object.fromEntries(sample.map((row) => [row.user_id, row.points]))).toEqual({ "user-000007": pointsOf(7), "user-019999": pointsOf(19_999) })
  }, 180_000)

  test("a client that drops mid-upload: the job is failed, its whole batches kept", async () => {
    const id = randomUUID()
    const controller = new AbortController()
    const upload = fetch(`http://127.0.0.1:${lt.ports.reward}/imports/opening-balances?tenant=${tenant}&id=${id}`, {
      method: "POST",
      headers: { "content-type": "text/csv", authorization: `Bearer ${await token()}` },
      // Slow enough (20,000 rows over some 5 s) that the body is still coming when 2,000 rows are read.
      body: slowCsv(60),
      duplex: "half",
      signal: controller.signal
    } as RequestInit).catch((error: unknown) => error)
    await eventually(async () => (await sql`select rows_read::int as read from reward.imports where id = ${id}`)[0]?.read ?? 0, (read) => read >= 2000, 60_000)
    controller.abort()
    expect(await upload).toBeInstanceOf(Error)
    const job = await eventually(async () => (await sql`select status, rows_applied::int as applied, failure from reward.imports where id = ${id}`)[0]!, (row) => row.status !== "running", 30_000)
    expect(job.status).toBe("failed")
    expect(job.applied % 1000).toBe(0)
    expect(job.failure).toContain("broke off")
  }, 120_000)

  test("a client that pauses for longer than the stale horizon: the heartbeat keeps the job running, and it finishes", async () => {
    const id = randomUUID()
    const encoder = new TextEncoder()
    const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `pause-${from + i},1.5\n`).join("")
    let step = 0
    // 1500 rows (one batch committed), then nothing for 5 s (2.5 horizons) with 500 rows held back, then those and the end.
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (step === 0) controller.enqueue(encoder.encode(`userId,points\n${lines(0, 1500)}`))
        else if (step === 1) {
          await Bun.sleep(5000)
          controller.enqueue(encoder.encode(lines(1500, 2000)))
        } else controller.close()
        step++
      }
    }, { highWaterMark: 0 })
    const upload = post(body, id)
    const row = async () => (await sql`
      select status, rows_applied::int as applied, extract(epoch from now() - updated_at)::float8 as age from reward.imports where id = ${id}`)[0] as { status: string; applied: number; age: number } | undefined
    await eventually(row, (job) => (job?.applied ?? 0) === 1000, 30_000)
    // Well into the pause, past the horizon since the last batch: still running, touched within it.
    await Bun.sleep(3500)
    const paused = (await row())!
    expect(paused).toMatchObject({ status: "running", applied: 1000 })
    expect(paused.age).toBeLessThan(2)
    const answer = await upload
    expect(answer.status).toBe(201)
    expect(await answer.json()).toMatchObject({ id, status: "finished", read: 2000, applied: 2000, duplicates: 0, refused: 0, failure: null })
  }, 60_000)
})
