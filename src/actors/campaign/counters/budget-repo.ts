import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { BudgetUsage } from "../rules/limits.ts"

type UsageRow = { campaign_id: string; completions: number; points: string }

const usageOf = (rows: ReadonlyArray<UsageRow>) =>
  new Map(rows.map((row): [string, BudgetUsage] => [row.campaign_id, { completions: row.completions, points: D.fromText(row.points) }]))

/**
 * What the budgets of `campaigns` (sorted by id) have used, their rows created when missing and
 * locked until the batch's transaction ends, in id order and after the progress rows: batches of
 * every process meet on the same rows in the same order, so they wait for each other and never
 * deadlock, and each reads what the one before it committed. Deleted campaigns are left out.
 */
export const lockBudgets = (tx: Sql, campaigns: ReadonlyArray<{ readonly id: string; readonly tenant: string }>) => {
  if (campaigns.length === 0) return Effect.succeed(new Map<string, BudgetUsage>())
  return exec(() => tx<Array<UsageRow>>`
    insert into campaign.budget_usage as u (campaign_id, tenant)
    select k.campaign_id, k.tenant
    from unnest(${campaigns.map((c) => c.id)}::uuid[], ${campaigns.map((c) => c.tenant)}::text[]) as k(campaign_id, tenant)
    join campaign.campaigns c on c.id = k.campaign_id and c.tenant = k.tenant
    order by k.campaign_id
    for key share of c
    -- A no-op update: it takes the row lock and returns the row as last committed.
    on conflict (campaign_id) do update set completions = u.completions
    returning u.campaign_id::text as campaign_id, u.completions, u.points::text as points`).pipe(Effect.map(usageOf))
}

/** Adds what the batch used to the budgets it locked. */
export const addBudgetUsage = (tx: Sql, used: ReadonlyArray<{ readonly campaignId: string; readonly tenant: string; readonly usage: BudgetUsage }>) => {
  if (used.length === 0) return Effect.void
  return exec(() => tx`
    update campaign.budget_usage u
    set completions = u.completions + k.completions, points = u.points + k.points::numeric, updated_at = now()
    from unnest(${used.map((u) => u.campaignId)}::uuid[], ${used.map((u) => u.tenant)}::text[],
                ${used.map((u) => u.usage.completions)}::int[], ${used.map((u) => D.toText(u.usage.points))}::text[])
      as k(campaign_id, tenant, completions, points)
    where u.campaign_id = k.campaign_id and u.tenant = k.tenant`).pipe(Effect.asVoid)
}

/** What the budgets of `campaignIds` of `tenant` have used (read only; a budget never used is absent). */
export const findBudgetUsage = (sql: Sql, tenant: string, campaignIds: ReadonlyArray<string>) =>
  exec(() => sql<Array<UsageRow>>`
    select campaign_id::text as campaign_id, completions, points::text as points from campaign.budget_usage
    where tenant = ${tenant} and campaign_id = any(${campaignIds as Array<string>}::uuid[])`).pipe(Effect.map(usageOf))
