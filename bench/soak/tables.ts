import type postgres from "postgres"
import { fmt } from "../flow/stats.ts"

/** The schemas of the four services. */
export const serviceSchemas = ["campaign", "fulfillment", "reward", "users"] as const

/**
 * The record: tables that keep something for every purchase (or refund, redemption) for good, by
 * design. The ledger and the lots are the points' audit trail; what an order bought and what each
 * completion and round used is kept so that a refund, however late, can be judged again (README,
 * refunds: "What is kept for refunds is kept for good").
 */
export const recordTables: Readonly<Record<string, string>> = {
  "reward.ledger": "every movement of points",
  "reward.lots": "every credit as a lot (expiry, reversals)",
  "reward.redemptions": "every redemption",
  "fulfillment.orders": "each order's purchases, for its refunds",
  "fulfillment.completions": "each buy completion, judged again on a refund",
  "fulfillment.completion_orders": "which orders each completion used",
  "campaign.completed_rounds": "each completed round, taken back on a refund",
  "campaign.round_members": "which round each fulfillment event was counted in"
}

/** Below this a table is flat: under 2 bytes a purchase, where even one narrow row per purchase is some 50. */
export const flatBytesPer1000 = 2048

/**
 * A table whose late peak stands less than this much above its early one is flat too: a table
 * pruned in cycles peaks a little higher or lower each time (autovacuum reuses its space in
 * steps), while one that grows without bound doubles over a soak's samples.
 */
export const flatPeakRise = 0.1

/**
 * pg_total_relation_size (table, indexes, TOAST) of every table of the four schemas, in bytes, and
 * the rows each holds (counted: what is live, against the size that also holds what is dead).
 */
export const tableSizes = async (sql: postgres.Sql): Promise<{ sizes: Map<string, number>; rows: Map<string, number> }> => {
  const tables = await sql<Array<{ name: string; bytes: string }>>`
    select n.nspname || '.' || c.relname as name, pg_total_relation_size(c.oid)::text as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname in ${sql(serviceSchemas)}
    order by 1`
  const counts = await sql.unsafe<Array<{ name: string; n: string }>>(
    tables.map((t) => `select '${t.name}' as name, count(*)::text as n from ${t.name.split(".").map((part) => `"${part}"`).join(".")}`).join(" union all ")
  )
  return { sizes: new Map(tables.map((t) => [t.name, Number(t.bytes)])), rows: new Map(counts.map((c) => [c.name, Number(c.n)])) }
}

export interface SizeSample {
  /** Seconds since the load started. */
  readonly at: number
  /** Purchases sent by then. */
  readonly purchases: number
  readonly sizes: ReadonlyMap<string, number>
  readonly rows: ReadonlyMap<string, number>
}

export type Verdict = "flat" | "record" | "GROWING"

export interface TableGrowth {
  readonly table: string
  readonly firstMinute: number
  readonly last: number
  readonly firstMinuteRows: number
  readonly lastRows: number
  /** Bytes per 1,000 purchases from the end of the warm-up to the last sample. */
  readonly per1000: number
  readonly verdict: Verdict
}

/**
 * Each table's growth after the warm-up (`warmup`, the index of its last sample), per 1,000
 * purchases: how much the table's peak over the second half of the samples after it stands above
 * its peak over the first half, against the purchases sent between the two halves' ends. A table
 * pruned in cycles (delete, vacuum, fill the space again) peaks at the same height every cycle; one
 * that grows steadily rises by its growth (for it the figure is the plain slope). A table of the
 * record grows by design; any other table rising faster than `flatBytesPer1000`, and by more than
 * `flatPeakRise` of its early peak, is GROWING.
 */
export const growthOf = (samples: ReadonlyArray<SizeSample>, warmup: number): Array<TableGrowth> => {
  const last = samples.at(-1)!
  const after = samples.slice(Math.min(warmup, samples.length - 1))
  const mid = Math.floor((after.length - 1) / 2)
  const [firstHalf, secondHalf] = [after.slice(0, mid + 1), after.slice(mid + 1)]
  const purchases = last.purchases - after[mid]!.purchases
  const firstMinute = samples.find((s) => s.at >= 60) ?? samples[0]!
  const peak = (half: ReadonlyArray<SizeSample>, table: string) => Math.max(...half.map((s) => s.sizes.get(table) ?? 0))
  return [...last.sizes.keys()].map((table) => {
    const early = peak(firstHalf, table)
    const grown = secondHalf.length === 0 ? 0 : peak(secondHalf, table) - early
    const per1000 = purchases > 0 ? (grown * 1000) / purchases : 0
    const flat = per1000 <= flatBytesPer1000 || grown <= early * flatPeakRise
    const verdict: Verdict = flat ? "flat" : table in recordTables ? "record" : "GROWING"
    return {
      table,
      firstMinute: firstMinute.sizes.get(table) ?? 0,
      last: last.sizes.get(table)!,
      firstMinuteRows: firstMinute.rows.get(table) ?? 0,
      lastRows: last.rows.get(table) ?? 0,
      per1000,
      verdict
    }
  })
}

const kib = (bytes: number) => fmt(bytes / 1024, 0)

/** Every table's size at every sample, in KiB, one row per table. */
export const sizeTable = (samples: ReadonlyArray<SizeSample>) => {
  const tables = [...samples.at(-1)!.sizes.keys()]
  const width = Math.max(...tables.map((t) => t.length))
  const header = `${"table (KiB)".padEnd(width)} ${samples.map((s) => `${fmt(s.at / 60, 0)}m`.padStart(8)).join(" ")}`
  return [header, ...tables.map((t) => `${t.padEnd(width)} ${samples.map((s) => kib(s.sizes.get(t) ?? 0).padStart(8)).join(" ")}`)].join("\n")
}

/** The verdicts: first-minute and last size, growth per 1,000 purchases after the warm-up. */
export const growthTable = (growth: ReadonlyArray<TableGrowth>) => {
  const width = Math.max(...growth.map((g) => g.table.length))
  const header = `${"table".padEnd(width)} ${"1st min KiB".padStart(12)} ${"last KiB".padStart(10)} ${"KiB/1k purch.".padStart(14)} ${"rows 1st min".padStart(13)} ${"rows last".padStart(10)}  verdict`
  const order: Record<Verdict, number> = { GROWING: 0, record: 1, flat: 2 }
  const rows = [...growth].sort((a, b) => order[a.verdict] - order[b.verdict] || b.per1000 - a.per1000).map((g) =>
    `${g.table.padEnd(width)} ${kib(g.firstMinute).padStart(12)} ${kib(g.last).padStart(10)} ${fmt(g.per1000 / 1024, 1).padStart(14)} ${fmt(g.firstMinuteRows, 0).padStart(13)} ${fmt(g.lastRows, 0).padStart(10)}  ${g.verdict}${g.verdict === "record" ? ` (${recordTables[g.table]})` : ""}`
  )
  return [header, ...rows].join("\n")
}
