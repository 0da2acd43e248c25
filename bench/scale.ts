/**
 * bun run bench:scale [--users 1000,10000,100000,1000000] [--rules 10,100,1000,10000] [--events 5000] [--partitions 3]
 *
 * Cost per purchase against the size of the data. The all-in-one process on a real local
 * PostgreSQL with every statement logged (`LOYALTEA_STATEMENT_LOG`), the benchmark tenant of
 * `bench:flow` (three campaigns, two credits per purchase), two curves:
 *
 * - users: one purchase of a template user goes through the pipeline; the rows it left in every
 *   table are copied in SQL for users u0 … uN-1 (see scale/seed-users.ts), then `vacuum analyze`;
 *   `--events` purchases of users drawn uniformly from the N go through the process;
 * - rules: the tenant's fulfillments and campaigns are grown through the HTTP API to each count
 *   (a buy of a product of its own in a campaign of its own, none of which the load matches);
 *   `--events` purchases of 1,000 users new at each point go through.
 *
 * At each point: purchases/s end to end, PostgreSQL's active time per purchase (pg_stat_database,
 * every session of the database), statements and transactions per purchase (the log), blocks
 * read from outside shared buffers and found in them per purchase, WAL bytes and full-page images
 * per purchase (pg_stat_wal: the whole server's). Then, per curve, the ratio of
 * the largest point to the smallest, and the tables and indexes whose blocks per purchase grew
 * most. `--users none` or `--rules none` leaves a curve out; `--keep true` leaves the databases.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners, type Producer } from "kafkajs"
import postgres from "postgres"
import { freePorts, portsEnv } from "../test/support/process.ts"
import { createTestDatabase } from "../test/support/postgres.ts"
import { allLoyalteaGroups, groupsCaughtUp } from "../test/support/flow.ts"
import { random } from "../test/support/random.ts"
import { startLoyaltea } from "./flow/process.ts"
import { benchAdmin, benchTenant, createCampaigns, signOut } from "./flow/setup.ts"
import { fmt } from "./flow/stats.ts"
import { measure, type PointCost } from "./scale/measure.ts"
import { addRules, baseRules, createFillerReward } from "./scale/rules.ts"
import { seededTables, seededUser, seedUsers, templateUser } from "./scale/seed-users.ts"

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000,10000,100000,1000000" },
    rules: { type: "string", default: "10,100,1000,10000" },
    events: { type: "string", default: "5000" },
    partitions: { type: "string", default: "3" },
    /** Measured loads per point; the table shows the best of them per column (on a shared machine, noise only ever adds). */
    repeat: { type: "string", default: "2" },
    /** `true`: leave the databases in place (their names printed) to look into them afterwards. */
    keep: { type: "string", default: "false" }
  }
})
const list = (text: string) => (text === "none" ? [] : text.split(",").map(Number).sort((a, b) => a - b))
const userPoints = list(values.users!)
const rulePoints = list(values.rules!)
const events = Number(values.events)
const repeat = Number(values.repeat)
const creditsPerPurchase = 2

const purchase = (user: string, eventId: string, i: number, tenant = benchTenant) => ({
  key: `${tenant}:${user}`,
  value: JSON.stringify({ tenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId })
})

/** A tenant of its own for the load that warms the process up (its JIT, its pools) before the first point. */
const warmTenant = "bench-warm"

interface Setup {
  readonly sql: postgres.Sql
  readonly producer: Producer
  readonly brokers: string
  readonly logFile: string
  readonly ports: Awaited<ReturnType<typeof freePorts>>
}

/** A database, the process on it with its statements logged, the benchmark tenant's campaigns, a producer; `run` with them, then all of it removed. */
const withProcess = async <A>(label: string, run: (setup: Setup) => Promise<A>): Promise<A> => {
  const database = await createTestDatabase(`loyaltea_scale_${label}`)
  const ports = await freePorts()
  const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-scale-"))
  const logFile = join(dataDir, "statements.jsonl")
  const lt = await startLoyaltea({
    DATABASE_URL: database.url,
    LOYALTEA_DATA_DIR: dataDir,
    ...portsEnv(ports),
    KAFKA_TOPIC_PARTITIONS: values.partitions!,
    DATABASE_POOL_SIZE: "12",
    LOYALTEA_LIFECYCLE_JOB_MS: "1000",
    LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
    LOYALTEA_ADMIN_PASSWORD: benchAdmin.password,
    LOYALTEA_STATEMENT_LOG: logFile
  })
  const sql = postgres(database.url, { max: 2, onnotice: () => {} })
  const brokers = `127.0.0.1:${ports.broker}`
  const producer = new Kafka({ clientId: "bench-scale", brokers: [brokers], logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner })
  try {
    signOut()
    await createCampaigns(ports)
    await createCampaigns(ports, warmTenant)
    await producer.connect()
    const setup = { sql, producer, brokers, logFile, ports }
    await warmUp(setup, Array.from({ length: 3000 }, (_, i) => purchase(`w${i % 100}`, `w-${i}`, i, warmTenant)))
    return await run(setup)
  } finally {
    await producer.disconnect().catch(() => {})
    await sql.end()
    await lt.stop()
    if (values.keep === "true") console.log(`kept database ${database.name}`)
    else await database.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** `messages` through the pipeline, credited, and every group caught up: caches (rules, prepared statements) are warm after them. */
const warmUp = async ({ sql, producer, brokers }: Pick<Setup, "sql" | "producer" | "brokers">, messages: ReadonlyArray<{ key: string; value: string }>) => {
  const mark = Number((await sql`select coalesce(max(id), 0)::text as id from reward.ledger`)[0]!.id)
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic: "buy", acks: -1, messages: messages.slice(i, i + 1000) })
  const expected = messages.length * creditsPerPurchase
  const deadline = Date.now() + 300_000
  while (Number((await sql`select count(*)::text as n from reward.ledger where id > ${mark} and kind = 'credit'`)[0]!.n) < expected) {
    if (Date.now() > deadline) throw new Error(`the warm-up's ${messages.length} purchases were not credited in 300 s`)
    await Bun.sleep(50)
  }
  while (!(await groupsCaughtUp(brokers, allLoyalteaGroups))) await Bun.sleep(50)
}

const databaseSize = async (sql: postgres.Sql) => Number((await sql`select pg_database_size(current_database())::text as s`)[0]!.s) / 2 ** 20

interface Row {
  readonly point: number
  readonly setupSeconds: number
  readonly sizeMiB: number
  readonly cost: PointCost
}

const printCurve = (title: string, unit: string, rows: ReadonlyArray<Row>) => {
  console.log(`\n${title}`)
  const header = [unit.padStart(10), "setup s".padStart(8), "db MiB".padStart(8), "purch/s".padStart(8), "PG ms/p".padStart(8), "stmts/p".padStart(8), "txns/p".padStart(8), "blk rd/p".padStart(9), "blk hit/p".padStart(10), "WAL kB/p".padStart(9), "FPI/p".padStart(7)]
  console.log(header.join(" "))
  for (const { point, setupSeconds, sizeMiB, cost } of rows) {
    console.log([
      fmt(point, 0).padStart(10), fmt(setupSeconds, 1).padStart(8), fmt(sizeMiB, 0).padStart(8), fmt(cost.purchasesPerSecond, 0).padStart(8),
      fmt(cost.pgMsPerPurchase, 3).padStart(8), fmt(cost.statementsPerPurchase, 3).padStart(8), fmt(cost.transactionsPerPurchase, 3).padStart(8),
      fmt(cost.blocksReadPerPurchase, 2).padStart(9), fmt(cost.blocksHitPerPurchase, 1).padStart(10),
      fmt(cost.walBytesPerPurchase / 1024, 2).padStart(9), fmt(cost.fullPagesPerPurchase, 2).padStart(7)
    ].join(" "))
  }
  if (rows.length < 2) return
  const [first, last] = [rows[0]!.cost, rows.at(-1)!.cost]
  const ratio = (a: number, b: number) => (b === 0 ? "-" : `${fmt(a / b, 2)}×`)
  console.log(`${fmt(rows.at(-1)!.point, 0)} against ${fmt(rows[0]!.point, 0)}: purchases/s ${ratio(last.purchasesPerSecond, first.purchasesPerSecond)}, ` +
    `PG ms per purchase ${ratio(last.pgMsPerPurchase, first.pgMsPerPurchase)}, statements per purchase ${ratio(last.statementsPerPurchase, first.statementsPerPurchase)}, ` +
    `blocks hit per purchase ${ratio(last.blocksHitPerPurchase, first.blocksHitPerPurchase)}, ` +
    `blocks read per purchase ${ratio(last.blocksReadPerPurchase, first.blocksReadPerPurchase)}, WAL per purchase ${ratio(last.walBytesPerPurchase, first.walBytesPerPurchase)}`)
  // Where the blocks went: the relations whose blocks per purchase grew most from the smallest point to the largest.
  const grown = [...last.blocksByRelation].map(([name, blocks]) => ({ name, first: first.blocksByRelation.get(name) ?? 0, last: blocks }))
    .filter((r) => r.last - r.first > 0.5).sort((a, b) => b.last - b.first - (a.last - a.first)).slice(0, 8)
  if (grown.length > 0) console.log("blocks (read and hit) per purchase that grew most, by table and index:")
  for (const r of grown) console.log(`  ${r.name.padEnd(52)} ${fmt(r.first, 1).padStart(7)} → ${fmt(r.last, 1).padStart(7)}`)
}

const sum = (blocks: ReadonlyMap<string, number>) => [...blocks.values()].reduce((a, b) => a + b, 0)

/** `repeat` measured loads at one point, each printed as it ends; the best of each column. */
const measureRepeatedly = async (curve: string, point: number, setup: Setup, load: (run: number) => ReadonlyArray<{ key: string; value: string }>): Promise<PointCost> => {
  const costs: Array<PointCost> = []
  for (let run = 0; run < repeat; run++) {
    const cost = await measure({ ...setup, messages: load(run), creditsPerPurchase })
    costs.push(cost)
    console.log(`  ${curve} ${fmt(point, 0)}, run ${run + 1}: ${fmt(cost.purchasesPerSecond, 0)} purchases/s, PG ${fmt(cost.pgMsPerPurchase, 3)} ms, ` +
      `${fmt(cost.statementsPerPurchase, 3)} statements, ${fmt(cost.blocksReadPerPurchase, 2)} blocks read and ${fmt(cost.blocksHitPerPurchase, 1)} hit, ${fmt(cost.walBytesPerPurchase / 1024, 2)} kB of WAL (${fmt(cost.fullPagesPerPurchase, 2)} full pages) per purchase`)
  }
  const best = (pick: (cost: PointCost) => number, better: (a: number, b: number) => number) => costs.map(pick).reduce((a, b) => better(a, b))
  return {
    purchasesPerSecond: best((c) => c.purchasesPerSecond, Math.max),
    pgMsPerPurchase: best((c) => c.pgMsPerPurchase, Math.min),
    statementsPerPurchase: best((c) => c.statementsPerPurchase, Math.min),
    transactionsPerPurchase: best((c) => c.transactionsPerPurchase, Math.min),
    blocksReadPerPurchase: best((c) => c.blocksReadPerPurchase, Math.min),
    blocksHitPerPurchase: best((c) => c.blocksHitPerPurchase, Math.min),
    walBytesPerPurchase: best((c) => c.walBytesPerPurchase, Math.min),
    fullPagesPerPurchase: best((c) => c.fullPagesPerPurchase, Math.min),
    seconds: best((c) => c.seconds, Math.min),
    blocksByRelation: costs.reduce((a, b) => (sum(b.blocksByRelation) < sum(a.blocksByRelation) ? b : a)).blocksByRelation
  }
}

const usersCurve = (points: ReadonlyArray<number>) =>
  withProcess("users", async (setup) => {
    const { sql } = setup
    // The template: one purchase through the real pipeline, whose rows every seeded user copies.
    await warmUp(setup, [purchase(templateUser, `${templateUser}-0`, 0)])
    const rows: Array<Row> = []
    let seeded = 0
    for (const n of points) {
      const started = performance.now()
      await seedUsers(sql, benchTenant, seeded, n)
      seeded = Math.max(seeded, n)
      await sql.unsafe(`vacuum analyze ${seededTables.join(", ")}`)
      // The seeding's dirty pages written out now, not by a checkpoint during the measured load.
      await sql.unsafe(`checkpoint`)
      const setupSeconds = (performance.now() - started) / 1000
      await warmUp(setup, [purchase("warm-up", `warm-up-${n}`, 0)])
      const next = random(n)
      const cost = await measureRepeatedly("users", n, setup, (run) =>
        Array.from({ length: events }, (_, i) => purchase(seededUser(Math.floor(next() * n)), `m${n}-${run}-${i}`, i)))
      rows.push({ point: n, setupSeconds, sizeMiB: await databaseSize(sql), cost })
    }
    return rows
  })

const rulesCurve = (points: ReadonlyArray<number>) =>
  withProcess("rules", async (setup) => {
    const { sql, ports } = setup
    const rewardId = await createFillerReward(ports, benchTenant)
    const rows: Array<Row> = []
    let count = baseRules
    for (const n of points) {
      const started = performance.now()
      await addRules(ports, benchTenant, rewardId, count, n)
      count = Math.max(count, n)
      await sql.unsafe(`analyze`)
      const setupSeconds = (performance.now() - started) / 1000
      await warmUp(setup, [purchase("warm-up", `warm-up-${n}`, 0)])
      // 1,000 users new at each run of each point, five purchases each.
      const cost = await measureRepeatedly("rules", n, setup, (run) =>
        Array.from({ length: events }, (_, i) => purchase(`r${n}-${run}-${i % 1000}`, `r${n}-${run}-${i}`, i)))
      rows.push({ point: n, setupSeconds, sizeMiB: await databaseSize(sql), cost })
    }
    return rows
  })

console.log(`machine: ${navigator.hardwareConcurrency} cores; Bun ${Bun.version}; ${events} purchases per point, ${values.partitions} partitions per topic, every statement logged`)
const started = performance.now()
const users = userPoints.length > 0 ? await usersCurve(userPoints) : []
const rules = rulePoints.length > 0 ? await rulesCurve(rulePoints) : []
if (users.length > 0) printCurve(`users: ${events} purchases of users drawn uniformly from N seeded users (each with one earlier purchase's rows)`, "users", users)
if (rules.length > 0) printCurve(`rules: ${events} purchases (1,000 new users) matching 2 fulfillments and 3 campaigns of N fulfillments and N campaigns`, "rules", rules)
console.log(`\nwhole run ${fmt((performance.now() - started) / 1000, 0)} s`)
