import { statSync } from "node:fs"
import type { Producer } from "kafkajs"
import type postgres from "postgres"
import { allLoyalteaGroups, groupsCaughtUp } from "../../test/support/flow.ts"
import { readLog, units } from "../work/statement-log.ts"

type Message = { key: string; value: string }

/** What one point of a curve cost, per purchase. */
export interface PointCost {
  readonly purchasesPerSecond: number
  /** PostgreSQL's `active_time` of the database (every session) over the run, per purchase, ms. */
  readonly pgMsPerPurchase: number
  readonly statementsPerPurchase: number
  readonly transactionsPerPurchase: number
  /** Shared-buffer blocks read from outside shared buffers (the OS cache or disk), and found in them, per purchase. */
  readonly blocksReadPerPurchase: number
  readonly blocksHitPerPurchase: number
  /** WAL written per purchase (bytes) and full-page images in it, from pg_stat_wal: the whole server's, so other databases' work counts too. */
  readonly walBytesPerPurchase: number
  readonly fullPagesPerPurchase: number
  readonly seconds: number
  /** Blocks (read and hit) per purchase by table (its heap) and by index, `schema.name`. */
  readonly blocksByRelation: ReadonlyMap<string, number>
}

interface DatabaseCounters {
  readonly activeMs: number
  readonly read: number
  readonly hit: number
  readonly walBytes: number
  readonly fullPages: number
  readonly relations: ReadonlyMap<string, number>
}

const counters = async (sql: postgres.Sql): Promise<DatabaseCounters> => {
  const [row] = await sql<Array<{ active: string; read: string; hit: string }>>`
    select active_time::text as active, blks_read::text as read, blks_hit::text as hit from pg_stat_database where datname = current_database()`
  const relations = await sql<Array<{ name: string; blocks: string }>>`
    select schemaname || '.' || relname as name, (coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0))::text as blocks from pg_statio_user_tables
    union all
    select schemaname || '.' || indexrelname, (coalesce(idx_blks_read, 0) + coalesce(idx_blks_hit, 0))::text from pg_statio_user_indexes`
  const [wal] = await sql<Array<{ bytes: string; fpi: string }>>`select wal_bytes::text as bytes, wal_fpi::text as fpi from pg_stat_wal`
  return { activeMs: Number(row!.active), read: Number(row!.read), hit: Number(row!.hit), walBytes: Number(wal!.bytes), fullPages: Number(wal!.fpi), relations: new Map(relations.map((r) => [r.name, Number(r.blocks)])) }
}

// A backend reports its counters at most once a second while busy, and within a second of going
// idle: waiting longer than that before each reading lets every backend's last work in.
const settled = async (sql: postgres.Sql) => {
  await Bun.sleep(2_000)
  return counters(sql)
}

const size = (file: string) => {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/** The highest ledger id now: each credit of the run adds a row above it (a cheap index range to count, whatever the table's size). */
const ledgerMark = async (sql: postgres.Sql) => Number((await sql`select coalesce(max(id), 0)::text as id from reward.ledger`)[0]!.id)

const creditsSince = async (sql: postgres.Sql, mark: number) =>
  Number((await sql`select count(*)::text as n from reward.ledger where id > ${mark} and kind = 'credit'`)[0]!.n)

/**
 * Sends `messages` (purchases, each earning `creditsPerPurchase` credits) to a running process
 * whose statements are logged to `logFile`, as fast as kafkajs produces them, and measures until
 * the last credit is in the ledger and every consumer group has caught up: throughput, and from
 * PostgreSQL's counters and the statement log, the cost per purchase. The clock stops at the last
 * credit; the counters are read two seconds after it and before the start (see `settled`), so
 * they also hold four seconds of the process idling (the lifecycle job, revocation polls), the
 * same at every point.
 */
export const measure = async (options: {
  readonly sql: postgres.Sql
  readonly producer: Producer
  readonly brokers: string
  readonly logFile: string
  readonly messages: ReadonlyArray<Message>
  readonly creditsPerPurchase: number
}): Promise<PointCost> => {
  const { sql, producer, messages } = options
  const purchases = messages.length
  const mark = await ledgerMark(sql)
  const before = await settled(sql)
  const from = size(options.logFile)
  const started = performance.now()
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic: "buy", acks: -1, messages: messages.slice(i, i + 1000) })
  const expected = purchases * options.creditsPerPurchase
  const deadline = Date.now() + 600_000
  while ((await creditsSince(sql, mark)) < expected) {
    if (Date.now() > deadline) throw new Error(`only ${await creditsSince(sql, mark)} of ${expected} credits after 600 s`)
    await Bun.sleep(50)
  }
  const seconds = (performance.now() - started) / 1000
  while (!(await groupsCaughtUp(options.brokers, allLoyalteaGroups))) await Bun.sleep(50)
  const after = await settled(sql)
  const log = readLog(options.logFile, from, size(options.logFile))
  const transactions = units(log).filter((unit) => unit.inTransaction).length
  return {
    purchasesPerSecond: purchases / seconds,
    pgMsPerPurchase: (after.activeMs - before.activeMs) / purchases,
    statementsPerPurchase: log.length / purchases,
    transactionsPerPurchase: transactions / purchases,
    blocksReadPerPurchase: (after.read - before.read) / purchases,
    blocksHitPerPurchase: (after.hit - before.hit) / purchases,
    walBytesPerPurchase: (after.walBytes - before.walBytes) / purchases,
    fullPagesPerPurchase: (after.fullPages - before.fullPages) / purchases,
    seconds,
    blocksByRelation: new Map([...after.relations].map(([name, blocks]) => [name, (blocks - (before.relations.get(name) ?? 0)) / purchases]))
  }
}
