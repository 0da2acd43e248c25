/**
 * bun run bench:cores [--events 20000] [--users 10000] [--workers <cores>]
 *
 * The default start as users start it (`npm start`: embedded PGlite, embedded broker, no
 * DATABASE_URL or KAFKA_BROKERS), measured side by side in one run: first in one process
 * (LOYALTEA_WORKERS=1), then spread over `--workers` processes (default: one per core, which is
 * what `npm start` does), each with a fresh data directory and the same purchases (the three
 * campaigns of bench:flow). The clock stops when every expected point is in the balances, read
 * through the embedded database's socket. Prints both rates and their ratio.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { freePorts, portsEnv } from "../test/support/process.ts"
import { startLoyaltea } from "./flow/process.ts"
import { benchAdmin, benchTenant, createCampaigns, pointsPerPurchase, signOut } from "./flow/setup.ts"
import { fmt } from "./flow/stats.ts"

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    users: { type: "string", default: "10000" },
    workers: { type: "string", default: String(availableParallelism()) }
  }
})
const events = Number(values.events)
const users = Number(values.users)

const purchases = Array.from({ length: events }, (_, i) => {
  const user = `u${i % users}`
  return { key: `${benchTenant}:${user}`, value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `${user}-${i}` }) }
})

const runShape = async (workers: number) => {
  const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-cores-"))
  const ports = await freePorts()
  const lt = await startLoyaltea({
    ...portsEnv(ports),
    LOYALTEA_DATA_DIR: dataDir,
    LOYALTEA_WORKERS: String(workers),
    LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
    LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
  })
  // Another client of the embedded database's socket, as the workers are (unnamed statements).
  const sql = postgres({ path: join(dataDir, ".s.PGSQL.5432"), username: "postgres", database: "postgres", max: 1, prepare: false, onnotice: () => {} })
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
    const started = performance.now()
    for (let next = 0; next < purchases.length; next += 1000) {
      await producer.send({ topic: "buy", acks: -1, messages: purchases.slice(next, next + 1000) })
    }
    await waitFor(pointsPerPurchase * (events + 1))
    const seconds = (performance.now() - started) / 1000
    const rate = events / seconds
    console.log(`LOYALTEA_WORKERS=${workers}: ${fmt(rate, 0)} purchases/s end to end (${fmt(seconds, 2)} s)`)
    return rate
  } finally {
    await producer.disconnect().catch(() => {})
    await sql.end()
    await lt.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

console.log(`machine: ${availableParallelism()} cores; ${events} purchases over ${users} users; the default start (embedded PGlite and broker)`)
const one = await runShape(1)
const all = await runShape(Number(values.workers))
console.log(`all cores: ${values.workers} processes against 1: ${fmt(all / one, 2)}×`)
