import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import type { Period } from "../../domain/calendar.ts"
import { fromText } from "../../domain/decimal.ts"
import { parseWindow } from "../../domain/iso-duration.ts"
import type { Goal, GoalWindow } from "./goals/goal.ts"
import type { Rule } from "./rule.ts"

/** A tenant that never had a fulfillment has no version row; it counts as version 0 with no rules. */
export const noVersion = "0"

/** The current rules version of each given tenant that has one (bigint as text). */
export const rulesVersions = (tx: Sql, tenants: ReadonlyArray<string>) =>
  exec(() => tx<Array<{ tenant: string; version: string }>>`
    select tenant, version::text as version from fulfillment.rules_versions
    where tenant = any(${tenants as Array<string>}::text[])`).pipe(
    Effect.map((rows) => new Map(rows.map((row) => [row.tenant, row.version])))
  )

export interface TenantRules {
  readonly version: string
  readonly rules: ReadonlyArray<Rule>
}

interface RuleRow {
  readonly tenant: string
  readonly version: string
  readonly time_zone: string | null
  readonly id: string | null
  readonly kind: "buy" | "tag" | null
  readonly name: string | null
  readonly product: string | null
  /** Decimal text: amounts are compared exactly, never as doubles. */
  readonly amount: string | null
  readonly tag: string | null
  readonly goal_count: number | null
  readonly goal_total: string | null
  readonly goal_within: string | null
  readonly goal_period: Period | null
}

const windowOf = (row: RuleRow): GoalWindow | undefined => {
  if (row.goal_period !== null) return { kind: "calendar", period: row.goal_period, timeZone: row.time_zone ?? "UTC" }
  if (row.goal_within === null) return undefined
  const parsed = parseWindow(row.goal_within)
  // The column's check and the input schema only let valid durations in.
  if ("error" in parsed) throw new Error(`fulfillment ${row.id} has an invalid window ${row.goal_within}: ${parsed.error}`)
  return { kind: "rolling", ms: parsed.ms, text: row.goal_within }
}

/** No goal fields: undefined, the plain behaviour (each qualifying event completes the rule). */
const goalOf = (row: RuleRow): Goal | undefined =>
  row.goal_count === null && row.goal_total === null && row.goal_within === null && row.goal_period === null
    ? undefined
    : { count: row.goal_count ?? 1, total: row.goal_total === null ? undefined : fromText(row.goal_total), window: windowOf(row) }

/**
 * Every rule of the given tenants with the version they belong to and the tenant's time zone
 * (its calendar periods), read in one statement so all of it comes from the same snapshot: a new
 * zone bumps the version too (migration 0011). Tenants without a version row are absent.
 */
export const loadRules = (tx: Sql, tenants: ReadonlyArray<string>) =>
  exec(() => tx<Array<RuleRow>>`
    select v.tenant, v.version::text as version, t.time_zone, f.id::text as id, f.kind, f.name, f.product, f.amount::text as amount, f.tag,
           f.goal_count, f.goal_total::text as goal_total, f.goal_within, f.goal_period
    from fulfillment.rules_versions v
    left join fulfillment.tenants t on t.id = v.tenant
    left join fulfillment.fulfillments f on f.tenant = v.tenant
    where v.tenant = any(${tenants as Array<string>}::text[])
    order by v.tenant, f.created_at, f.id`).pipe(
    Effect.map((rows) => {
      const byTenant = new Map<string, { version: string; rules: Array<Rule> }>()
      for (const row of rows) {
        const entry = byTenant.get(row.tenant) ?? { version: row.version, rules: [] }
        byTenant.set(row.tenant, entry)
        if (row.id === null) continue
        const goal = goalOf(row)
        if (row.kind === "tag") entry.rules.push({ kind: "tag", id: row.id, name: row.name!, tag: row.tag!, goal })
        else entry.rules.push({ kind: "buy", id: row.id, name: row.name!, product: row.product!, amount: fromText(row.amount!), goal })
      }
      return byTenant as ReadonlyMap<string, TenantRules>
    })
  )
