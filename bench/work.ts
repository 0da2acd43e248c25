/**
 * bun run bench:work [--events 1000] [--users 1000] [--partitions 3]
 *
 * Work per purchase, and the ceiling. The all-in-one process on a real local PostgreSQL, set up
 * as `bench:flow` sets it up (its three campaigns), is stopped and its database copied; then it
 * runs again with every statement it sends written to a log (`LOYALTEA_STATEMENT_LOG`) while
 * `--events` purchases go through as fast as kafkajs produces them. Prints, per 1,000 purchases:
 * statements, transactions and statements by kind from the log, rows inserted, updated and
 * deleted per table from PostgreSQL's own counters. Then the logged statements of the run are
 * sent again with postgres.js against the copy (the same texts, parameters, transactions and
 * order, no Kafka, no decoding, see work/replay.ts) and end to end is printed as a fraction of
 * that ceiling. Logging every statement costs the process CPU of its own, so the same purchases'
 * worth of new ones also go through once with nothing logged, on a second copy of the database
 * taken before the logged run (the same state, the same consumer groups, which have read the
 * logged run's purchases by then): that is the end to end the ceiling is compared with.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { freePorts, portsEnv } from "../test/support/process.ts"
import { createTestDatabase, testServerUrl } from "../test/support/postgres.ts"
import { allLoyalteaGroups, groupsCaughtUp } from "../test/support/flow.ts"
import { startLoyaltea } from "./flow/process.ts"
import { benchAdmin, benchTenant, createCampaigns, pointsPerPurchase } from "./flow/setup.ts"
import { fmt } from "./flow/stats.ts"
import { readLog, statementKinds, units } from "./work/statement-log.ts"
import { replay } from "./work/replay.ts"
import { describeBatchSteps, parseBatchSteps } from "./work/batch-steps.ts"
import { machineCpuSeconds, processCpuSeconds } from "./work/cpu-time.ts"

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000" },
    users: { type: "string", default: "1000" },
    partitions: { type: "string", default: "3" }
  }
})
const events = Number(values.events)
const users = Number(values.users)
const poolSize = 12
const per1000 = (n: number) => fmt((n * 1000) / events, 1)

const database = await createTestDatabase("loyaltea_work")
const copyName = `${database.name}_copy`
const unloggedName = `${database.name}_unlogged`
const ports = await freePorts()
const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-work-"))
const logFile = join(dataDir, "statements.jsonl")
const env = {
  DATABASE_URL: database.url,
  LOYALTEA_DATA_DIR: dataDir,
  ...portsEnv(ports),
  KAFKA_TOPIC_PARTITIONS: values.partitions!,
  DATABASE_POOL_SIZE: String(poolSize),
  LOYALTEA_LIFECYCLE_JOB_MS: "1000",
  LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
  LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
}
const admin = postgres(testServerUrl, { max: 1, onnotice: () => {} })
const brokers = `127.0.0.1:${ports.broker}`

const credited = async (sql: postgres.Sql<{}>) => Number((await sql`select coalesce(sum(points), 0)::text as s from reward.balances where tenant = ${benchTenant}`)[0]!.s)
const waitFor = async (sql: postgres.Sql<{}>, points: number) => {
  const deadline = Date.now() + 600_000
  while ((await credited(sql)) < points) {
    if (Date.now() > deadline) throw new Error(`only ${await credited(sql)} of ${points} points after 600 s`)
    await Bun.sleep(20)
  }
  while (!(await groupsCaughtUp(brokers, allLoyalteaGroups))) await Bun.sleep(50)
}
const purchase = (user: string, i: number, run = "") => ({
  key: `${benchTenant}:${user}`,
  value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `${run}${user}-${i}` })
})
type TableCounts = Map<string, { ins: number; upd: number; del: number }>
const tableCounts = async (sql: postgres.Sql<{}>): Promise<TableCounts> => {
  const rows = await sql<Array<{ name: string; ins: string; upd: string; del: string }>>`
    select schemaname || '.' || relname as name, n_tup_ins::text as ins, n_tup_upd::text as upd, n_tup_del::text as del from pg_stat_user_tables`
  return new Map(rows.map((row) => [row.name, { ins: Number(row.ins), upd: Number(row.upd), del: Number(row.del) }]))
}

try {
  // Set-up, and one purchase so that every consumer has joined and every cache is warm.
  let lt = await startLoyaltea(env)
  let sql = postgres(database.url, { max: 2, onnotice: () => {} })
  await createCampaigns(ports)
  const kafka = new Kafka({ clientId: "bench-work", brokers: [brokers], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  await producer.send({ topic: "buy", acks: -1, messages: [purchase("warm-up", 0)] })
  await waitFor(sql, pointsPerPurchase)
  await sql.end()
  await lt.stop()
  // PostgreSQL's counters are flushed when the backends end: read with the process stopped.
  sql = postgres(database.url, { max: 2, onnotice: () => {} })
  const before = await tableCounts(sql)
  await sql.end()
  await admin.unsafe(`create database "${copyName}" template "${database.name}"`)
  await admin.unsafe(`create database "${unloggedName}" template "${database.name}"`)

  lt = await startLoyaltea({ ...env, LOYALTEA_STATEMENT_LOG: logFile })
  sql = postgres(database.url, { max: 2, onnotice: () => {} })
  const size = () => {
    try {
      return statSync(logFile).size
    } catch {
      return 0
    }
  }
  const from = size()
  const started = performance.now()
  const messages = Array.from({ length: events }, (_, i) => purchase(`u${i % users}`, i))
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic: "buy", acks: -1, messages: messages.slice(i, i + 1000) })
  await waitFor(sql, (events + 1) * pointsPerPurchase)
  const seconds = (performance.now() - started) / 1000
  const to = size()
  await sql.end()
  await lt.stop()
  sql = postgres(database.url, { max: 2, onnotice: () => {} })
  const after = await tableCounts(sql)
  await sql.end()

  // The same load with nothing logged, from the same state (the second copy).
  const unloggedUrl = new URL(testServerUrl)
  unloggedUrl.pathname = `/${unloggedName}`
  lt = await startLoyaltea({ ...env, DATABASE_URL: unloggedUrl.toString() })
  sql = postgres(unloggedUrl.toString(), { max: 2, onnotice: () => {} })
  const unloggedStarted = performance.now()
  const cpuBefore = { process: processCpuSeconds(lt.proc.pid), machine: machineCpuSeconds() }
  const again = Array.from({ length: events }, (_, i) => purchase(`u${i % users}`, i, "unlogged-"))
  for (let i = 0; i < again.length; i += 1000) await producer.send({ topic: "buy", acks: -1, messages: again.slice(i, i + 1000) })
  await waitFor(sql, (events + 1) * pointsPerPurchase)
  const unloggedSeconds = (performance.now() - unloggedStarted) / 1000
  const cpu = {
    process: processCpuSeconds(lt.proc.pid) - cpuBefore.process,
    busy: machineCpuSeconds().busy - cpuBefore.machine.busy
  }
  // The batches of this run, as the process counted them.
  const steps = parseBatchSteps(await (await fetch(`http://127.0.0.1:${ports.reward}/metrics`)).text())
  await producer.disconnect()
  await sql.end()
  await lt.stop()

  const log = readLog(logFile, from, to)
  const recorded = units(log)
  const transactions = recorded.filter((unit) => unit.inTransaction)
  console.log(`machine: ${navigator.hardwareConcurrency} cores; ${events} purchases over ${users} users (each earns two credits), ${values.partitions} partitions per topic, pool ${poolSize}`)
  console.log(`end to end: ${fmt(events / unloggedSeconds, 0)} purchases/s (${fmt(unloggedSeconds, 2)} s); with every statement logged ${fmt(events / seconds, 0)} purchases/s (${fmt(seconds, 2)} s)`)
  console.log(`CPU during it: the process ${fmt((cpu.process / unloggedSeconds) * 100, 0)}% of a core, the whole machine ${fmt((cpu.busy / unloggedSeconds) * 100, 0)}% of one core (of ${navigator.hardwareConcurrency * 100}%)`)
  console.log(`batches of the run with nothing logged (consumer group, topic, step: batches × mean = total):`)
  for (const line of describeBatchSteps(steps)) console.log(line)
  console.log(`per 1,000 purchases: ${per1000(log.length)} statements (begin and commit included), ${per1000(transactions.length)} transactions, ${per1000(recorded.length - transactions.length)} statements outside transactions`)
  for (const [kind, n] of statementKinds(log)) console.log(`  ${per1000(n).padStart(8)}  ${kind}`)
  console.log("rows written per 1,000 purchases (inserted / updated / deleted):")
  let written = 0
  const lines = [...after].map(([table, counts]) => {
    const was = before.get(table) ?? { ins: 0, upd: 0, del: 0 }
    const delta = { ins: counts.ins - was.ins, upd: counts.upd - was.upd, del: counts.del - was.del }
    written += delta.ins + delta.upd + delta.del
    return { table, delta, total: delta.ins + delta.upd + delta.del }
  }).filter((line) => line.total > 0).sort((a, b) => b.total - a.total)
  for (const { table, delta } of lines) console.log(`  ${table.padEnd(40)} ${per1000(delta.ins).padStart(8)} / ${per1000(delta.upd).padStart(8)} / ${per1000(delta.del).padStart(8)}`)
  console.log(`  ${"all tables".padEnd(40)} ${per1000(written).padStart(8)} rows`)

  // The ceiling: the same statements against the copy taken before the run.
  const copyUrl = new URL(testServerUrl)
  copyUrl.pathname = `/${copyName}`
  const copy = postgres(copyUrl.toString(), { max: poolSize, onnotice: () => {} })
  const ceiling = await replay(copy, recorded, poolSize)
  await copy.end()
  const ceilingRate = events / ceiling.seconds
  console.log(`ceiling: the run's ${log.length} statements in ${recorded.length} units sent again with postgres.js in ${fmt(ceiling.seconds, 2)} s: ${fmt(ceilingRate, 0)} purchases/s (${ceiling.refused} statements refused)`)
  for (const [reason, n] of ceiling.refusals) console.log(`  refused ${n}×: ${reason}`)
  console.log(`end to end is ${fmt((events / unloggedSeconds / ceilingRate) * 100, 1)}% of the ceiling (${fmt((events / seconds / ceilingRate) * 100, 1)}% with every statement logged)`)
} finally {
  await admin.unsafe(`drop database if exists "${copyName}" with (force)`).catch(() => {})
  await admin.unsafe(`drop database if exists "${unloggedName}" with (force)`).catch(() => {})
  await admin.end()
  await database.drop()
  rmSync(dataDir, { recursive: true, force: true })
}
