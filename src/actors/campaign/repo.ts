import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Campaign } from "./model.ts"

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
