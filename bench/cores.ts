/**
 * bun run bench:cores [--events 20000] [--users 10000] [--workers <cores>] [--database embedded|external]
 *
 * The default start as users start it (`npm start`: embedded PGlite, embedded broker, no
 * DATABASE_URL or KAFKA_BROKERS), measured side by side in one run: first in one process
 * (LOYALTEA_WORKERS=1), then spread over `--workers` processes (default: one per core, which is
 * what `npm start` does), each with a fresh data directory and the same purchases (the three
 * campaigns of bench:flow). The clock stops when every expected point is in the balances, read
 * through the embedded database's socket. Prints both rates, their ratio and how busy each process
 * was. `--database external` runs the same against a fresh database on the local PostgreSQL
 * (DATABASE_URL), the broker still embedded.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { createTestDatabase } from "../test/support/postgres.ts"
import { childPids, freePorts, portsEnv } from "../test/support/process.ts"
import { startLoyaltea } from "./flow/process.ts"
import { benchAdmin, benchTenant, createCampaigns, pointsPerPurchase, signOut } from "./flow/setup.ts"
import { fmt } from "./flow/stats.ts"

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    users: { type: "string", default: "10000" },
    workers: { type: "string", default: String(availableParallelism()) },
    database: { type: "string", default: "embedded" }
  }
})
const events = Number(values.events)
const users = Number(values.users)

const purchases = Array.from({ length: events }, (_, i) => {
  const user = `u${i % users}`
  return { key: `${benchTenant}:${user}`, value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `${user}-${i}` }) }
})

const ticksPerSecond = 100
/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
  } catch {
    return 0
  }
}
const external = values.database === "external"

const runShape = async (workers: number) => {
  const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-cores-"))
  const ports = await freePorts()
  const database = external ? await createTestDatabase("loyaltea_cores") : undefined
  const lt = await startLoyaltea({
    ...portsEnv(ports),
    ...(database === undefined ? {} : { DATABASE_URL: database.url }),
    LOYALTEA_DATA_DIR: dataDir,
    LOYALTEA_WORKERS: String(workers),
    LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
    LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
  })
  // Another client of the embedded database's socket, as the workers are (unnamed statements).
  const sql = database === undefined
    ? postgres({ path: join(dataDir, ".s.PGSQL.5432"), username: "postgres", database: "postgres", max: 1, onnotice: () => {} })
    : postgres(database.url, { max: 1, onnotice: () => {} })
  const kafka = new Kafka({ clientId: "bench-cores", brokers: [`127.0.0.1:${ports.broker}`], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  try {
    signOut()
    await createCampaigns(ports)
    await producer.connect()
    const credited = async () => Number((await sql`select coalesce(sum(points), 0)::text as s from reward.balances where tenant = ${benchTenant}`)[0]!.s)
    const waitFor = async (points: number) => {
      const deadline = Date.now() + 900_000
      while ((await credited()) < points) {
        if (Date.now() > deadline) throw new Error(`only ${await credited()} of ${points} points`)
        await Bun.sleep(100)
      }
    }
    // Every consumer has joined before the clock starts.
    await producer.send({ topic: "buy", acks: -1, messages: [{ key: `${benchTenant}:warm`, value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100, userId: "warm", eventId: "warm-0" }) }] })
    await waitFor(pointsPerPurchase)
    const pids = [lt.proc.pid, ...childPids(lt.proc.pid)]
    const cpuBefore = pids.map(cpuSeconds)
    const started = performance.now()
    for (let next = 0; next < purchases.length; next += 1000) {
      await producer.send({ topic: "buy", acks: -1, messages: purchases.slice(next, next + 1000) })
    }
    await waitFor(pointsPerPurchase * (events + 1))
    const seconds = (performance.now() - started) / 1000
    const rate = events / seconds
    const busy = pids.map((pid, i) => `${i === 0 ? "supervisor" : `worker ${i}`} ${fmt((100 * (cpuSeconds(pid) - cpuBefore[i]!)) / seconds, 0)}%`)
    console.log(`LOYALTEA_WORKERS=${workers}: ${fmt(rate, 0)} purchases/s end to end (${fmt(seconds, 2)} s); CPU of one core while it ran: ${busy.join(", ")}`)
    return rate
  } finally {
    await producer.disconnect().catch(() => {})
    await sql.end()
    await lt.stop()
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

console.log(`machine: ${availableParallelism()} cores; ${events} purchases over ${users} users; the default start (${external ? "local PostgreSQL" : "embedded PGlite"}, embedded broker)`)
const one = await runShape(1)
const all = await runShape(Number(values.workers))
console.log(`all cores: ${values.workers} processes against 1: ${fmt(all / one, 2)}×`)
