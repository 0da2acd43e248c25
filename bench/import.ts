/**
 * bun run bench:import [--rows 1000000] [--format csv|ndjson]
 *
 * The reward and user services in one process (with the embedded broker) on a real local
 * PostgreSQL. Opening balances for `--rows` users are generated as a stream (never a whole file in
 * memory) and POSTed to `/imports/opening-balances`; while the server reads and applies them, the
 * job's progress is polled over HTTP. Prints rows/s and the server process's RSS at the start,
 * every 100,000 rows read, and at the end, then checks that every row became one opening entry.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { randomUUID } from "node:crypto"
import { cpus, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import postgres from "postgres"
import { freePorts, portsEnv } from "../test/support/process.ts"
import { createTestDatabase } from "../test/support/postgres.ts"
import { startLoyaltea } from "./flow/process.ts"
import { benchAdmin } from "./flow/setup.ts"

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    format: { type: "string", default: "csv" }
  }
})
const rows = Number(values.rows)
const format = values.format === "ndjson" ? "ndjson" : "csv"
const tenant = "bench-import"
const every = 100_000

const database = await createTestDatabase("loyaltea_bench_import")
const ports = await freePorts()
const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-bench-import-"))
const lt = await startLoyaltea({
  DATABASE_URL: database.url,
  LOYALTEA_DATA_DIR: dataDir,
  LOYALTEA_SERVICES: "reward,user",
  ...portsEnv(ports),
  LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
  LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
})
const sql = postgres(database.url, { max: 2, onnotice: () => {} })
const mib = (value: number) => `${value.toFixed(0)} MiB`

try {
  const login = await fetch(`http://127.0.0.1:${ports.user}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(benchAdmin) })
  const auth = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` }
  const made = await fetch(`http://127.0.0.1:${ports.user}/tenants`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ id: tenant, name: tenant }) })
  if (made.status !== 201) throw new Error(`tenant: ${made.status} ${await made.text()}`)
  while ((await sql`select count(*)::int as n from reward.tenants where id = ${tenant}`)[0]!.n === 0) await Bun.sleep(50)

  // Rows made a slice at a time as the upload pulls them: the client holds one slice, never the file.
  const encoder = new TextEncoder()
  let sent = 0
  const pointsOf = (i: number) => `${(i % 9999) + 1}.${String(i % 10_000).padStart(4, "0")}`
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (sent === 0 && format === "csv") controller.enqueue(encoder.encode("userId,points,occurredAt,reason\n"))
      if (sent >= rows) return controller.close()
      const upTo = Math.min(rows, sent + 2000)
      let text = ""
      for (; sent < upTo; sent++) {
        const user = `user-${String(sent).padStart(8, "0")}`
        text += format === "csv"
          ? `${user},${pointsOf(sent)},2026-01-01T00:00:00Z,old shop\n`
          : `${JSON.stringify({ userId: user, points: pointsOf(sent), occurredAt: "2026-01-01T00:00:00Z", reason: "old shop" })}\n`
      }
      controller.enqueue(encoder.encode(text))
    }
  })

  const id = randomUUID()
  const rssStart = lt.rss()
  let peak = rssStart
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${mib(totalmem() / 1024 / 1024)} RAM; bun ${Bun.version}; ${rows} rows as ${format}`)
  console.log(`start: RSS ${mib(rssStart)}`)
  const started = performance.now()
  let done = false
  const upload = fetch(`http://127.0.0.1:${ports.reward}/imports/opening-balances?tenant=${tenant}&id=${id}`, {
    method: "POST",
    headers: { "content-type": format === "csv" ? "text/csv" : "application/x-ndjson", ...auth },
    body,
    duplex: "half"
  } as RequestInit).finally(() => (done = true))

  let next = every
  while (!done) {
    await Bun.sleep(100)
    peak = Math.max(peak, lt.rss())
    const job = await (await fetch(`http://127.0.0.1:${ports.reward}/imports/${id}?tenant=${tenant}`, { headers: auth })).json() as { read?: number }
    while ((job.read ?? 0) >= next) {
      const seconds = (performance.now() - started) / 1000
      console.log(`${String(next).padStart(8)} rows: ${(next / seconds).toFixed(0)} rows/s so far, RSS ${mib(lt.rss())}`)
      next += every
    }
  }
  const response = await upload
  const seconds = (performance.now() - started) / 1000
  const report = (await response.json()) as { status: string; read: number; applied: number; duplicates: number; refused: number }
  const rssEnd = lt.rss()
  console.log(`end: ${response.status} ${report.status}, ${report.read} read, ${report.applied} applied, ${report.refused} refused in ${seconds.toFixed(1)} s: ` +
    `${(report.read / seconds).toFixed(0)} rows/s; RSS start ${mib(rssStart)}, end ${mib(rssEnd)}, peak ${mib(peak)}`)
  const [stored] = await sql`select count(*)::int as entries, coalesce(sum(amount), 0)::text as points from reward.ledger where tenant = ${tenant} and kind = 'opening'`
  let expected = 0n
  for (let i = 0; i < rows; i++) expected += BigInt(pointsOf(i).replace(".", ""))
  const exact = BigInt(String(stored!.points).replace(".", "")) === expected
  console.log(`check: ${stored!.entries} opening entries (expected ${rows}), points ${stored!.points} ${exact ? "exact" : "WRONG"}`)
  if (stored!.entries !== rows || !exact) process.exitCode = 1
} finally {
  await sql.end()
  await lt.stop()
  await database.drop()
  rmSync(dataDir, { recursive: true, force: true })
}
