import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Campaign } from "./model.ts"
import type { CampaignRules } from "./progress.ts"

const decodeCampaigns = decodeRows(Campaign)

const campaignColumns = (sql: Sql) => sql`
  id::text as id, tenant, name, fulfillments::text[] as fulfillments, rewards::text[] as rewards,
  ${isoTime(sql, "created_at")} as "createdAt", ${isoTime(sql, "updated_at")} as "updatedAt"`

export interface NewCampaign {
  readonly id: string
  readonly tenant: string
  readonly name: string
  readonly fulfillments: ReadonlyArray<string>
  readonly rewards: ReadonlyArray<string>
}

export const insertCampaign = (sql: Sql, campaign: NewCampaign) =>
  exec(() => sql`
    insert into campaign.campaigns (id, tenant, name, fulfillments, rewards)
    values (${campaign.id}, ${campaign.tenant}, ${campaign.name},
            ${campaign.fulfillments as Array<string>}::uuid[], ${campaign.rewards as Array<string>}::uuid[])
    returning ${campaignColumns(sql)}`).pipe(Effect.flatMap(decodeCampaigns), Effect.map((rows) => rows[0]!))

export const listCampaigns = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${campaignColumns(sql)} from campaign.campaigns t
    where ${tenantFilter(sql, scope)}
    order by t.created_at, t.id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeCampaigns))

export const findCampaign = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`select ${campaignColumns(sql)} from campaign.campaigns where id = ${id} and ${tenantFilter(sql, scope)}`).pipe(
    Effect.flatMap(decodeCampaigns),
    Effect.map((rows) => rows[0])
  )

/** Changes a campaign of `tenant` (when given, the campaign must belong to it: tenants are immutable). */
export const updateCampaign = (
  sql: Sql,
  scope: TenantScope,
  id: string,
  changes: { tenant: string | undefined; name: string; fulfillments: ReadonlyArray<string>; rewards: ReadonlyArray<string> }
) =>
  exec(() => sql`
    update campaign.campaigns
    set name = ${changes.name}, fulfillments = ${changes.fulfillments as Array<string>}::uuid[],
        rewards = ${changes.rewards as Array<string>}::uuid[], updated_at = now()
    where id = ${id} and ${tenantFilter(sql, scope)} and (${changes.tenant ?? null}::text is null or tenant = ${changes.tenant ?? null})
    returning ${campaignColumns(sql)}`).pipe(Effect.flatMap(decodeCampaigns), Effect.map((rows) => rows[0]))

export const deleteCampaign = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`delete from campaign.campaigns where id = ${id} and ${tenantFilter(sql, scope)} returning id`).pipe(
    Effect.map((rows) => rows.length > 0)
  )

export interface TenantRulesRow {
  readonly tenant: string
  readonly version: string
  /** Null for a tenant whose campaigns were all deleted. */
  readonly campaign: CampaignRules | null
}

/**
 * The campaigns of every tenant whose rules version differs from `known` (null: never loaded),
 * read in one statement so each version matches the campaigns returned with it.
 */
export const changedRules = (sql: Sql, known: ReadonlyArray<{ tenant: string; version: string | null }>) =>
  exec(() => sql<Array<{ tenant: string; version: string; id: string | null; fulfillments: Array<string> | null; rewards: Array<string> | null }>>`
    select v.tenant, v.version::text as version, c.id::text as id, c.fulfillments::text[] as fulfillments, c.rewards::text[] as rewards
    from unnest(${known.map((k) => k.tenant)}::text[], ${known.map((k) => k.version)}::bigint[]) as k(tenant, version)
    join campaign.rules_versions v on v.tenant = k.tenant and v.version is distinct from k.version
    left join campaign.campaigns c on c.tenant = v.tenant
    order by v.tenant, c.created_at, c.id`).pipe(
    Effect.map((rows): ReadonlyArray<TenantRulesRow> =>
      rows.map((row) => ({
        tenant: row.tenant,
        version: row.version,
        campaign: row.id === null ? null : { id: row.id, tenant: row.tenant, fulfillments: row.fulfillments ?? [], rewards: row.rewards ?? [] }
      }))
    )
  )
