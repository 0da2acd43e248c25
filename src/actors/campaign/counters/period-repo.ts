import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { periodKeyText } from "../progress.ts"
import type { PeriodRef } from "./counters.ts"

type PeriodRow = { tenant: string; user_id: string; campaign_id: string; period: string; completions: number }

const columns = (refs: ReadonlyArray<PeriodRef>) => ({
  tenants: refs.map((r) => r.key.tenant),
  users: refs.map((r) => r.key.userId),
  campaigns: refs.map((r) => r.key.campaignId),
  periods: refs.map((r) => r.period)
})

const countsOf = (rows: ReadonlyArray<PeriodRow>) =>
  new Map(rows.map((row) => [periodKeyText({ tenant: row.tenant, userId: row.user_id, campaignId: row.campaign_id }, row.period), row.completions]))

/**
 * Each user's completions in the periods `refs` name (sorted by the caller), locked in that order
 * after the progress rows, keyed by `periodKeyText`; a period without completions is absent.
 */
export const lockPeriodCounts = (tx: Sql, refs: ReadonlyArray<PeriodRef>) => {
  if (refs.length === 0) return Effect.succeed(new Map<string, number>())
  const { campaigns, periods, tenants, users } = columns(refs)
  return exec(() => tx<Array<PeriodRow>>`
    select p.tenant, p.user_id, p.campaign_id::text as campaign_id, p.period, p.completions
    from campaign.period_completions p
    join unnest(${tenants}::text[], ${users}::text[], ${campaigns}::uuid[], ${periods}::text[]) as k(tenant, user_id, campaign_id, period)
      on (p.tenant, p.user_id, p.campaign_id, p.period) = (k.tenant, k.user_id, k.campaign_id, k.period)
    order by p.tenant, p.user_id, p.campaign_id, p.period
    for update of p`).pipe(Effect.map(countsOf))
}

/** The same, read only. */
export const findPeriodCounts = (sql: Sql, refs: ReadonlyArray<PeriodRef>) => {
  if (refs.length === 0) return Effect.succeed(new Map<string, number>())
  const { campaigns, periods, tenants, users } = columns(refs)
  return exec(() => sql<Array<PeriodRow>>`
    select p.tenant, p.user_id, p.campaign_id::text as campaign_id, p.period, p.completions
    from campaign.period_completions p
    join unnest(${tenants}::text[], ${users}::text[], ${campaigns}::uuid[], ${periods}::text[]) as k(tenant, user_id, campaign_id, period)
      on (p.tenant, p.user_id, p.campaign_id, p.period) = (k.tenant, k.user_id, k.campaign_id, k.period)`).pipe(Effect.map(countsOf))
}

/** Adds the batch's completions to their periods, in one statement (campaigns deleted meanwhile are left out). */
export const addPeriodCounts = (tx: Sql, added: ReadonlyArray<PeriodRef & { readonly completions: number }>) => {
  if (added.length === 0) return Effect.void
  const { campaigns, periods, tenants, users } = columns(added)
  return exec(() => tx`
    insert into campaign.period_completions as p (tenant, user_id, campaign_id, period, completions)
    select k.tenant, k.user_id, k.campaign_id, k.period, k.completions
    from unnest(${tenants}::text[], ${users}::text[], ${campaigns}::uuid[], ${periods}::text[], ${added.map((a) => a.completions)}::int[])
      as k(tenant, user_id, campaign_id, period, completions)
    join campaign.campaigns c on c.id = k.campaign_id
    order by k.tenant, k.user_id, k.campaign_id, k.period
    for key share of c
    on conflict (tenant, user_id, campaign_id, period) do update set completions = p.completions + excluded.completions`).pipe(Effect.asVoid)
}
