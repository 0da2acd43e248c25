import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import { addBudgetUsage, lockBudgets } from "../counters/budget-repo.ts"
import { lockPeriodCounts } from "../counters/period-repo.ts"
import { compareKeys, compareText } from "../progress.ts"
import type { Giveback } from "./revoke.ts"

/** Takes completions off the periods they counted in (a period left with none has no row). */
const returnPeriodCounts = (tx: Sql, returned: ReadonlyArray<Giveback & { readonly period: string }>) => {
  if (returned.length === 0) return Effect.void
  const columns = {
    tenants: returned.map((r) => r.key.tenant),
    users: returned.map((r) => r.key.userId),
    campaigns: returned.map((r) => r.key.campaignId),
    periods: returned.map((r) => r.period),
    counts: returned.map((r) => r.completions)
  }
  return exec(() => tx`
    with k as (
      select * from unnest(${columns.tenants}::text[], ${columns.users}::text[], ${columns.campaigns}::uuid[], ${columns.periods}::text[], ${columns.counts}::int[])
        as k(tenant, user_id, campaign_id, period, n)
    ), emptied as (
      delete from campaign.period_completions p using k
      where (p.tenant, p.user_id, p.campaign_id, p.period) = (k.tenant, k.user_id, k.campaign_id, k.period) and p.completions <= k.n
    )
    update campaign.period_completions p set completions = p.completions - k.n from k
    where (p.tenant, p.user_id, p.campaign_id, p.period) = (k.tenant, k.user_id, k.campaign_id, k.period) and p.completions > k.n`).pipe(Effect.asVoid)
}

/**
 * What reversals give back to the limits, locked in the same order as a fulfillment batch locks
 * them (each user's periods, then the campaigns' budgets): a round taken back whole no longer counts
 * in its period, and a budget gets back the completions and points taken back.
 */
export const giveBack = (tx: Sql, givebacks: ReadonlyArray<Giveback>) =>
  Effect.gen(function*() {
    const periods = new Map<string, Giveback & { period: string }>()
    for (const g of givebacks) {
      if (g.period === undefined || g.completions === 0) continue
      const text = JSON.stringify([g.key.tenant, g.key.userId, g.key.campaignId, g.period])
      const seen = periods.get(text)
      periods.set(text, { ...g, period: g.period, completions: (seen?.completions ?? 0) + g.completions })
    }
    const sortedPeriods = [...periods.values()].sort((a, b) => compareKeys(a.key, b.key) || compareText(a.period, b.period))
    const budgets = new Map<string, { campaignId: string; tenant: string; completions: number; points: D.Decimal }>()
    for (const g of givebacks) {
      if (!g.budgeted) continue
      const seen = budgets.get(g.campaignId)
      budgets.set(g.campaignId, { campaignId: g.campaignId, tenant: g.tenant, completions: (seen?.completions ?? 0) + g.completions, points: D.add(seen?.points ?? D.zero, g.points) })
    }
    const sortedBudgets = [...budgets.values()].sort((a, b) => compareText(a.campaignId, b.campaignId))
    yield* lockPeriodCounts(tx, sortedPeriods.map((p) => ({ key: p.key, period: p.period })))
    const usage = yield* lockBudgets(tx, sortedBudgets.map((b) => ({ id: b.campaignId, tenant: b.tenant })))
    yield* returnPeriodCounts(tx, sortedPeriods)
    // Never below nothing used: what was counted is what can be given back.
    yield* addBudgetUsage(tx, sortedBudgets.flatMap((b) => {
      const used = usage.get(b.campaignId)
      if (!used) return []
      const completions = Math.min(b.completions, used.completions)
      const points = D.min(b.points, used.points)
      return [{ campaignId: b.campaignId, tenant: b.tenant, usage: { completions: -completions, points: D.negate(points) } }]
    }))
  })
