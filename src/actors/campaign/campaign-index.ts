import { Context, Effect, Layer } from "effect"
import type { Sql } from "../../db/database.ts"
import type { CampaignRules, CampaignsOf } from "./progress.ts"
import { changedRules, type TenantRulesRow } from "./rules-repo.ts"

/** One tenant's campaigns by fulfillment, as of one rules version. */
export interface TenantIndex {
  readonly version: string
  readonly byFulfillment: ReadonlyMap<string, ReadonlyArray<CampaignRules>>
}

export const indexCampaigns = (version: string, campaigns: ReadonlyArray<CampaignRules>): TenantIndex => {
  const byFulfillment = new Map<string, Array<CampaignRules>>()
  for (const campaign of campaigns) {
    for (const fulfillmentId of campaign.fulfillments) {
      const list = byFulfillment.get(fulfillmentId) ?? []
      list.push(campaign)
      byFulfillment.set(fulfillmentId, list)
    }
  }
  return { version, byFulfillment }
}

const byTenant = (rows: ReadonlyArray<TenantRulesRow>): Map<string, TenantIndex> => {
  const grouped = new Map<string, { version: string; campaigns: Array<CampaignRules> }>()
  for (const row of rows) {
    const group = grouped.get(row.tenant) ?? { version: row.version, campaigns: [] }
    if (row.campaign) group.campaigns.push(row.campaign.rules)
    grouped.set(row.tenant, group)
  }
  return new Map([...grouped].map(([tenant, group]) => [tenant, indexCampaigns(group.version, group.campaigns)]))
}

const make = Effect.sync(() => {
  const cache = new Map<string, TenantIndex>()

  // Batches of several partitions run at once; an older read must never replace a newer one.
  const keepNewest = (tenant: string, fresh: TenantIndex) => {
    const cached = cache.get(tenant)
    if (!cached || BigInt(fresh.version) > BigInt(cached.version)) cache.set(tenant, fresh)
  }

  /**
   * The campaigns of `tenants` as of now: one statement inside the batch's transaction reads
   * which tenants changed since they were cached (here or in another process) and reloads those.
   */
  const campaignsOf = (tx: Sql, tenants: ReadonlyArray<string>) =>
    changedRules(tx, [...new Set(tenants)].map((tenant) => ({ tenant, version: cache.get(tenant)?.version ?? null }))).pipe(
      Effect.map((rows): CampaignsOf => {
        for (const [tenant, fresh] of byTenant(rows)) keepNewest(tenant, fresh)
        const snapshot = new Map(tenants.map((tenant) => [tenant, cache.get(tenant)]))
        return (tenant, fulfillmentId) => snapshot.get(tenant)?.byFulfillment.get(fulfillmentId) ?? []
      })
    )

  return { campaignsOf }
})

/**
 * The campaign actor's in-memory rules: per tenant, fulfillment → campaigns, so no event looks
 * campaigns up one by one. Kept per process; the rules version makes it follow every change.
 */
export class CampaignIndex extends Context.Service<CampaignIndex, Effect.Success<typeof make>>()("loyaltea/campaign/CampaignIndex") {
  static readonly layer = Layer.effect(CampaignIndex, make)
}
