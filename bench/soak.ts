/**
 * bun run bench:soak [--rate 300] [--minutes 10] [--users 10000] [--workers <cores>] [--database private|shared]
 *                    [--retention-minutes 1] [--prune-interval-seconds 15] [--redeem-every-ms 500]
 *
 * The default start (one process per core: the supervisor with the embedded broker and the user
 * service, the event services in workers) on a fresh PostgreSQL database, driven for `--minutes`
 * at a steady `--rate` of purchases (the plain campaigns of bench:flow under a program whose
 * points expire; one purchase in ten refunded in full right after it; a redemption over HTTP every
 * `--redeem-every-ms`; a webhook endpoint for `redeemed` and `reversed` with a receiver here),
 * with the processed-event ids and the webhook log kept `--retention-minutes` and pruned every
 * `--prune-interval-seconds`, so pruning runs many times. The database is in a PostgreSQL 15
 * cluster of the run's own with the server's defaults (`--database private`: autovacuum on, as in
 * production), or on the shared local server the tests use (`--database shared`: autovacuum is off
 * there, so nothing reclaims what is deleted). Every minute it samples the RSS of every process of
 * the system and pg_total_relation_size (and the rows) of every table of the four schemas; at the
 * end it prints, per table, the first-minute and last size, the growth per 1,000 purchases after
 * the warm-up (`--warmup-minutes`; by default the retention, two prune intervals and two minutes
 * for autovacuum), and whether it is flat, the record (grows by design) or GROWING. It is a benchmark: it prints, it does not fail.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { type Admin, Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { createTestDatabase } from "../test/support/postgres.ts"
import { startPrivatePostgres } from "../test/support/private-postgres.ts"
import { allLoyalteaGroups, groupsCaughtUp } from "../test/support/flow.ts"
import { childPids, freePorts, portsEnv } from "../test/support/process.ts"
import { mixedTenant, setUpMixed } from "./flow/mixed.ts"
import { rssOf, startLoyaltea } from "./flow/process.ts"
import { benchAdmin, post } from "./flow/setup.ts"
import { fmt } from "./flow/stats.ts"
import { steadyPurchases, steadyRedemptions, webhookReceiver } from "./soak/load.ts"
import { growthOf, growthTable, type SizeSample, sizeTable, tableSizes } from "./soak/tables.ts"

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "300" },
    minutes: { type: "string", default: "10" },
    users: { type: "string", default: "10000" },
    workers: { type: "string", default: String(availableParallelism()) },
    "retention-minutes": { type: "string", default: "1" },
    "prune-interval-seconds": { type: "string", default: "15" },
    "redeem-every-ms": { type: "string", default: "500" },
    /** Default: the retention, two prune intervals and two minutes for autovacuum (it looks every minute) to catch up with the first prunes. */
    "warmup-minutes": { type: "string" },
    "sample-seconds": { type: "string", default: "60" },
    /**
     * `private` (the default): a PostgreSQL 15 cluster of the run's own, with the server's defaults
     * (autovacuum on, as in production); `shared`: a database on the local server the tests use,
     * which runs with autovacuum off, so nothing reclaims deleted rows there.
     */
    database: { type: "string", default: "private" }
  }
})
const rate = Number(values.rate)
const minutes = Number(values.minutes)
const users = Math.max(10, Math.round(Number(values.users) / 10) * 10)
const retentionMinutes = Number(values["retention-minutes"])
const pruneSeconds = Number(values["prune-interval-seconds"])
const sampleSeconds = Number(values["sample-seconds"])
const warmupSeconds = values["warmup-minutes"] === undefined ? retentionMinutes * 60 + 2 * pruneSeconds + 120 : Number(values["warmup-minutes"]) * 60

// The groups of the four services, and the webhook feed's.
const groups = [...allLoyalteaGroups, { groupId: "loyaltea-reward-webhooks", topics: ["reward-notify", "reward"] }]

/** Messages not yet committed by their group, over every group and partition. */
const consumerLag = async (admin: Admin) => {
  let lag = 0
  for (const group of groups) {
    for (const topic of group.topics) {
      const ends = await admin.fetchTopicOffsets(topic)
      const [committed] = await admin.fetchOffsets({ groupId: group.groupId, topics: [topic] })
      for (const end of ends) {
        const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1")
        lag += Number(end.high) - Math.max(0, at)
      }
    }
  }
  return lag
}

const cluster = values.database === "shared" ? undefined : await startPrivatePostgres()
/** A database of the run in the private cluster (dropped with the cluster). */
const privateDatabase = async (serverUrl: string) => {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe("create database loyaltea_soak")
  await admin.end()
  return { url: serverUrl.replace(/\/postgres$/, "/loyaltea_soak"), drop: async () => {} }
}

const database = cluster === undefined ? await createTestDatabase("loyaltea_soak") : await privateDatabase(cluster.url)
const ports = await freePorts()
const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-soak-"))
const receiver = webhookReceiver()
const lt = await startLoyaltea({
  DATABASE_URL: database.url,
  LOYALTEA_DATA_DIR: dataDir,
  ...portsEnv(ports),
  LOYALTEA_WORKERS: values.workers!,
  DATABASE_POOL_SIZE: "12",
  LOYALTEA_LIFECYCLE_JOB_MS: "1000",
  LOYALTEA_PROCESSED_EVENTS_RETENTION_DAYS: String(retentionMinutes / 1440),
  LOYALTEA_WEBHOOK_LOG_RETENTION_DAYS: String(retentionMinutes / 1440),
  LOYALTEA_PRUNE_INTERVAL_SECONDS: String(pruneSeconds),
  LOYALTEA_WEBHOOK_ALLOW_PRIVATE: "true",
  LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
  LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
})
const sql = postgres(database.url, { max: 2, onnotice: () => {} })
const kafka = new Kafka({ clientId: "bench-soak", brokers: [`127.0.0.1:${ports.broker}`], logLevel: logLevel.NOTHING })
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
const admin = kafka.admin()

/** The system's processes: the supervisor first, then its workers (by pid, as they are now). */
const processes = () => [{ name: "supervisor", pid: lt.proc.pid }, ...childPids(lt.proc.pid).map((pid, i) => ({ name: `worker ${i + 1}`, pid }))]

try {
  await setUpMixed(ports)
  await post(ports.reward, "/webhooks", { tenant: mixedTenant, url: receiver.url, events: ["redeemed", "reversed"], description: "soak receiver" })
  await producer.connect()
  await admin.connect()
  const names = processes().map((p) => p.name)
  console.log(`machine: ${availableParallelism()} cores; ${rate} purchases/s for ${minutes} min over ${users} users, ${names.length} processes (${names.join(", ")}), ` +
    `${cluster === undefined ? "a database on the shared local PostgreSQL (autovacuum off)" : "a PostgreSQL 15 cluster of its own (autovacuum on)"}; ` +
    `processed-event ids and webhook log kept ${retentionMinutes} min, pruned every ${pruneSeconds} s; warm-up ${fmt(warmupSeconds, 0)} s`)

  const started = Date.now()
  const until = started + minutes * 60_000
  const purchases = steadyPurchases(producer, rate, users, until)
  const redemptions = steadyRedemptions(ports.reward, users, Number(values["redeem-every-ms"]), until)
  const samples: Array<SizeSample> = []
  const rss: Array<{ at: number; byProcess: Array<number> }> = []
  let peak = 0
  const peakSampler = setInterval(() => (peak = Math.max(peak, processes().reduce((sum, p) => sum + rssOf(p.pid), 0))), 1000)
  console.log(`${"min".padStart(4)} ${"purchases".padStart(10)} ${"lag".padStart(7)} ${names.map((n) => `${n} MiB`.padStart(16)).join("")} ${"total MiB".padStart(10)}`)
  const sample = async () => {
    const at = (Date.now() - started) / 1000
    const byProcess = processes().map((p) => rssOf(p.pid))
    const sent = purchases.sent()
    const [{ rows, sizes }, lag] = await Promise.all([tableSizes(sql), consumerLag(admin)])
    samples.push({ at, purchases: sent, sizes, rows })
    rss.push({ at, byProcess })
    const total = byProcess.reduce((a, b) => a + b, 0)
    console.log(`${fmt(at / 60, 0).padStart(4)} ${fmt(sent, 0).padStart(10)} ${fmt(lag, 0).padStart(7)} ${byProcess.map((m) => fmt(m, 0).padStart(16)).join("")} ${fmt(total, 0).padStart(10)}`)
  }
  for (let next = 0; next <= minutes * 60; next += sampleSeconds) {
    const wait = started + next * 1000 - Date.now()
    if (wait > 0) await Bun.sleep(wait)
    await sample()
  }
  await Promise.all([purchases.done, redemptions.done])
  clearInterval(peakSampler)

  const caughtUpFrom = Date.now()
  while (!(await groupsCaughtUp(`127.0.0.1:${ports.broker}`, groups)) && Date.now() - caughtUpFrom < 300_000) await Bun.sleep(500)
  const credits = await sql<Array<{ kind: string; n: string }>>`select kind, count(*)::text as n from reward.ledger where tenant = ${mixedTenant} group by kind order by kind`
  console.log(`\nsent ${fmt(purchases.sent(), 0)} purchases (${fmt(purchases.sent() / (minutes * 60), 0)}/s), ${fmt(Math.ceil(purchases.sent() / 10), 0)} refunds; ` +
    `${redemptions.counts.done} redemptions (${redemptions.counts.refused} refused); ${receiver.received()} webhook deliveries received; ` +
    `every group caught up ${fmt((Date.now() - caughtUpFrom) / 1000, 1)} s after the load ended`)
  console.log(`ledger entries: ${credits.map((c) => `${c.kind} ${fmt(Number(c.n), 0)}`).join(", ")}`)

  const first = rss.find((r) => r.at >= 60) ?? rss[0]!
  const last = rss.at(-1)!
  const total = (r: { byProcess: Array<number> }) => r.byProcess.reduce((a, b) => a + b, 0)
  console.log(`RSS of all processes: first minute ${fmt(total(first), 0)} MiB, last ${fmt(total(last), 0)} MiB, peak ${fmt(peak, 0)} MiB (per process, first → last: ` +
    `${names.map((n, i) => `${n} ${fmt(first.byProcess[i] ?? 0, 0)} → ${fmt(last.byProcess[i] ?? 0, 0)}`).join(", ")})`)

  const warmupEnd = samples.findIndex((s) => s.at >= warmupSeconds)
  const warmup = warmupEnd === -1 ? samples.length - 1 : warmupEnd
  console.log(`\ntable sizes at each sample:\n${sizeTable(samples)}`)
  console.log(`\ngrowth after the warm-up (the samples from ${fmt(samples[warmup]!.at / 60, 0)} min on), per 1,000 purchases:\n${growthTable(growthOf(samples, warmup))}`)
} finally {
  await producer.disconnect().catch(() => {})
  await admin.disconnect().catch(() => {})
  await sql.end()
  await lt.stop()
  receiver.stop()
  await database.drop()
  await cluster?.destroy()
  rmSync(dataDir, { recursive: true, force: true })
}
