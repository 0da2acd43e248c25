import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import * as D from "../../domain/decimal.ts"
import type { EarnRule } from "../../domain/earning.ts"
import type { Period } from "../../domain/calendar.ts"
import type { CampaignRules } from "./progress.ts"
import { type DefinitionFields, earnRuleOf } from "../../events/reward-definition-rule.ts"
import type { Limits } from "./rules/limits.ts"
import type { CampaignStatus } from "./rules/why-not.ts"

/** A campaign's rules as one row: its columns, its tenant's zone, and its rewards' published rules. */
interface RulesRow {
  readonly tenant: string
  readonly id: string | null
  readonly name: string | null
  readonly fulfillments: Array<string> | null
  readonly rewards: Array<string> | null
  readonly status: CampaignStatus | null
  readonly starts_at: number | null
  readonly ends_at: number | null
  readonly per_user: number | null
  readonly per_period_count: number | null
  readonly per_period: Period | null
  readonly budget_completions: number | null
  readonly budget_points: string | null
  readonly time_zone: string
  readonly earning: Array<DefinitionFields & { rewardId: string }> | null
}

const limitsOf = (row: RulesRow): Limits | undefined => {
  const limits: Limits = {
    ...(row.per_user !== null && { perUser: row.per_user }),
    ...(row.per_period_count !== null && row.per_period !== null && { perUserPerPeriod: { count: row.per_period_count, period: row.per_period } }),
    ...(row.budget_completions !== null && { budgetCompletions: row.budget_completions }),
    ...(row.budget_points !== null && { budgetPoints: D.fromText(row.budget_points) })
  }
  return Object.keys(limits).length > 0 ? limits : undefined
}

const earningOf = (row: RulesRow) => {
  const rules = new Map<string, EarnRule>()
  for (const definition of row.earning ?? []) {
    const rule = earnRuleOf(definition)
    if (rule) rules.set(definition.rewardId, rule)
  }
  return rules
}

const rulesOf = (row: RulesRow): CampaignRules => {
  const limits = limitsOf(row)
  return {
    id: row.id!,
    tenant: row.tenant,
    fulfillments: row.fulfillments ?? [],
    rewards: row.rewards ?? [],
    status: row.status ?? "active",
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    ...(limits && { limits }),
    timeZone: row.time_zone,
    earning: earningOf(row)
  }
}

export interface TenantRulesRow {
  readonly tenant: string
  readonly version: string
  /** Null for a tenant whose campaigns were all deleted. */
  readonly campaign: { readonly name: string; readonly rules: CampaignRules } | null
}

/**
 * The campaigns of every tenant whose rules version differs from `known` (null: never loaded),
 * with the tenant's zone and the rewards' rules, read in one statement (no fragments: the batch
 * counts its statements) so each version matches the rules returned with it.
 */
export const changedRules = (sql: Sql, known: ReadonlyArray<{ tenant: string; version: string | null }>) =>
  exec(() => sql<Array<RulesRow & { version: string }>>`
    select v.tenant, v.version::text as version,
      c.id::text as id, c.name, c.fulfillments::text[] as fulfillments, c.rewards::text[] as rewards, c.status,
      (extract(epoch from c.starts_at) * 1000)::float8 as starts_at, (extract(epoch from c.ends_at) * 1000)::float8 as ends_at,
      c.per_user, c.per_period_count, c.per_period, c.budget_completions, c.budget_points::text as budget_points,
      coalesce(t.time_zone, 'UTC') as time_zone,
      (select json_agg(json_build_object('rewardId', d.reward_id, 'kind', d.kind, 'points', d.points::text,
                                         'pointsPerUnit', d.points_per_unit::text, 'unit', d.unit::text,
                                         'rounding', d.rounding, 'maxPoints', d.max_points::text))
       from campaign.reward_definitions d
       where d.tenant = c.tenant and d.reward_id = any(c.rewards) and not d.deleted) as earning
    from unnest(${known.map((k) => k.tenant)}::text[], ${known.map((k) => k.version)}::bigint[]) as k(tenant, version)
    join campaign.rules_versions v on v.tenant = k.tenant and v.version is distinct from k.version
    left join campaign.tenants t on t.id = v.tenant
    left join campaign.campaigns c on c.tenant = v.tenant
    order by v.tenant, c.created_at, c.id`).pipe(
    Effect.map((rows): ReadonlyArray<TenantRulesRow> =>
      rows.map((row) => ({ tenant: row.tenant, version: row.version, campaign: row.id === null ? null : { name: row.name!, rules: rulesOf(row) } }))
    )
  )

/** Every campaign of `tenant` with its rules as the actor sees them now, in creation order (for reads outside a batch). */
export const tenantRules = (sql: Sql, tenant: string) =>
  changedRules(sql, [{ tenant, version: null }]).pipe(Effect.map((rows) => rows.flatMap((row) => (row.campaign ? [row.campaign] : []))))
