/**
 * bun run bench:flow [--events 100000] [--users 10000] [--rate 2000] [--latency-seconds 20] [--soak-seconds 0]
 *
 * The all-in-one process (four services, embedded broker) on a real local PostgreSQL. Buy events
 * are produced with kafkajs from this process; the clock stops when every expected point is in
 * the balances. Prints end-to-end events/s, produce-to-credit latency at a fixed rate, and peak RSS.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { freePorts, portsEnv } from "../test/support/process.ts"
import { startBrokerProcess } from "../test/support/broker-process.ts"
import { createTestDatabase } from "../test/support/postgres.ts"
import { startLoyaltea } from "./flow/process.ts"
import { benchAdmin, benchTenant, createCampaigns, pointsPerPurchase } from "./flow/setup.ts"
import { fmt, percentile } from "./flow/stats.ts"

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "100000" },
    users: { type: "string", default: "10000" },
    rate: { type: "string", default: "2000" },
    "latency-seconds": { type: "string", default: "20" },
    "soak-seconds": { type: "string", default: "0" },
    partitions: { type: "string", default: "3" },
    /** `embedded` (in the process, the default shape) or `process` (`bun run broker` beside it, as Kafka would be). */
    broker: { type: "string", default: "embedded" }
  }
})
const events = Number(values.events)
const users = Number(values.users)
const rate = Number(values.rate)
const latencySeconds = Number(values["latency-seconds"])
const soakSeconds = Number(values["soak-seconds"])

const database = await createTestDatabase("loyaltea_bench")
const ports = await freePorts()
const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-bench-"))
const standalone = values.broker === "process" ? await startBrokerProcess({ port: ports.broker, dataDir: join(dataDir, "kafka"), partitions: Number(values.partitions) }) : undefined
const lt = await startLoyaltea({
  DATABASE_URL: database.url,
  LOYALTEA_DATA_DIR: dataDir,
  ...portsEnv(ports),
  ...(standalone ? { KAFKA_BROKERS: standalone.address } : {}),
  KAFKA_TOPIC_PARTITIONS: values.partitions!,
  DATABASE_POOL_SIZE: "12",
  LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
  LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
})
let peakRss = lt.rss()
const sampler = setInterval(() => (peakRss = Math.max(peakRss, lt.rss())), 250)
const sql = postgres(database.url, { max: 2, onnotice: () => {} })
const kafka = new Kafka({ clientId: "bench", brokers: [`127.0.0.1:${ports.broker}`], logLevel: logLevel.NOTHING })
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
await producer.connect()

const credited = async () => Number((await sql`select coalesce(sum(points), 0)::text as s from reward.balances where tenant = ${benchTenant}`)[0]!.s)
const waitFor = async (points: number, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while ((await credited()) < points) {
    if (Date.now() > deadline) throw new Error(`only ${await credited()} of ${points} points after ${timeoutMs} ms`)
    await Bun.sleep(20)
  }
}
const purchase = (user: string, i: number) => ({
  key: `${benchTenant}:${user}`,
  value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `${user}-${i}` })
})

try {
  await createCampaigns(ports)
  console.log(`machine: ${navigator.hardwareConcurrency} cores; ${events} events over ${users} users, ${values.partitions} partitions per topic, broker ${standalone ? "in its own process" : "embedded in the process"}`)

  // Throughput: everything produced as fast as kafkajs sends it; the clock runs until the last point lands.
  const started = performance.now()
  const batches: Array<Array<{ key: string; value: string }>> = []
  for (let i = 0; i < events; i += 1000) {
    batches.push(Array.from({ length: Math.min(1000, events - i) }, (_, j) => purchase(`u${(i + j) % users}`, i + j)))
  }
  let next = 0
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < batches.length) await producer.send({ topic: "buy", acks: -1, messages: batches[next++]! })
  }))
  const produced = performance.now()
  await waitFor(events * pointsPerPurchase, 600_000)
  const done = performance.now()
  console.log(`produce:     ${fmt(events / ((produced - started) / 1000), 0)} events/s`)
  console.log(`end to end:  ${fmt(events / ((done - started) / 1000), 0)} events/s (${fmt((done - started) / 1000, 2)} s for ${events} events → ${events * 2} credits)`)

  // Latency at a fixed rate: each event for a fresh user, so its ledger entries time its credit.
  const sentAt = new Map<string, number>()
  const perTick = Math.max(1, Math.round(rate / 100))
  const tickStart = Date.now()
  for (let tick = 0; tick < latencySeconds * 100; tick++) {
    const messages = Array.from({ length: perTick }, (_, j) => {
      const user = `lat-${tick}-${j}`
      sentAt.set(user, Date.now())
      return purchase(user, 0)
    })
    await producer.send({ topic: "buy", acks: -1, messages })
    const wait = tickStart + (tick + 1) * 10 - Date.now()
    if (wait > 0) await Bun.sleep(wait)
  }
  await waitFor((events + sentAt.size) * pointsPerPurchase, 120_000)
  const rows = await sql<Array<{ user_id: string; at: number }>>`
    select user_id, extract(epoch from created_at) * 1000 as at from reward.ledger where tenant = ${benchTenant} and user_id like 'lat-%'`
  const latencies = rows.map((row) => Number(row.at) - sentAt.get(row.user_id)!).sort((a, b) => a - b)
  console.log(`latency at ${rate} events/s for ${latencySeconds} s (${latencies.length} credits): p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(latencies.at(-1)!)} ms`)

  if (soakSeconds > 0) {
    console.log(`soak: ${rate} events/s for ${soakSeconds} s, RSS every 30 s`)
    const soakStart = Date.now()
    let i = 0
    while (Date.now() - soakStart < soakSeconds * 1000) {
      await producer.send({ topic: "buy", acks: -1, messages: Array.from({ length: perTick }, () => purchase(`soak-${i % users}`, i++)) })
      if (i % (rate * 30) < perTick) console.log(`  ${fmt((Date.now() - soakStart) / 1000, 0)} s: RSS ${fmt(lt.rss(), 0)} MiB`)
      const wait = soakStart + (i / rate) * 1000 - Date.now()
      if (wait > 0) await Bun.sleep(wait)
    }
  }
  console.log(`peak RSS of the all-in-one process: ${fmt(peakRss, 0)} MiB`)
} finally {
  clearInterval(sampler)
  await producer.disconnect()
  await sql.end()
  await lt.stop()
  await standalone?.stop()
  await database.drop()
  rmSync(dataDir, { recursive: true, force: true })
}
