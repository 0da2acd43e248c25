import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import type { Rule } from "./model.ts"

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
  readonly id: string | null
  readonly kind: "buy" | "tag" | null
  readonly product: string | null
  readonly amount: number | null
  readonly tag: string | null
}

/**
 * Every rule of the given tenants with the version they belong to, read in one statement so
 * the rules and their version come from the same snapshot. Tenants without a version row are
 * absent from the result.
 */
export const loadRules = (tx: Sql, tenants: ReadonlyArray<string>) =>
  exec(() => tx<Array<RuleRow>>`
    select v.tenant, v.version::text as version, f.id::text as id, f.kind, f.product, f.amount::float8 as amount, f.tag
    from fulfillment.rules_versions v
    left join fulfillment.fulfillments f on f.tenant = v.tenant
    where v.tenant = any(${tenants as Array<string>}::text[])`).pipe(
    Effect.map((rows) => {
      const byTenant = new Map<string, { version: string; rules: Array<Rule> }>()
      for (const row of rows) {
        const entry = byTenant.get(row.tenant) ?? { version: row.version, rules: [] }
        byTenant.set(row.tenant, entry)
        if (row.id === null) continue
        if (row.kind === "tag") entry.rules.push({ kind: "tag", id: row.id, tag: row.tag! })
        else entry.rules.push({ kind: "buy", id: row.id, product: row.product!, amount: row.amount! })
      }
      return byTenant as ReadonlyMap<string, TenantRules>
    })
  )
