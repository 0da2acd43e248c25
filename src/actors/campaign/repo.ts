import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import { decimalText } from "../../domain/primitives.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Campaign, type CampaignLimits } from "./model.ts"
import type { CampaignStatus } from "./rules/why-not.ts"

const decodeCampaigns = decodeRows(Campaign)

const campaignColumns = (sql: Sql) => sql`
  id::text as id, tenant, name, fulfillments::text[] as fulfillments, rewards::text[] as rewards, status,
  ${isoTime(sql, "starts_at")} as "startsAt", ${isoTime(sql, "ends_at")} as "endsAt",
  json_strip_nulls(json_build_object(
    'perUser', per_user,
    'perUserPerPeriod', case when per_period is null then null else json_build_object('count', per_period_count, 'period', per_period) end,
    'budgetCompletions', budget_completions,
    'budgetPoints', budget_points::float8)) as limits,
  ${isoTime(sql, "created_at")} as "createdAt", ${isoTime(sql, "updated_at")} as "updatedAt"`

/** Everything about a campaign but its id and tenant. */
export interface CampaignValues {
  readonly name: string
  readonly fulfillments: ReadonlyArray<string>
  readonly rewards: ReadonlyArray<string>
  readonly status: CampaignStatus
  /** ISO-8601; null: unbounded. */
  readonly startsAt: string | null
  readonly endsAt: string | null
  readonly limits: CampaignLimits
}

export interface NewCampaign extends CampaignValues {
  readonly id: string
  readonly tenant: string
}

/** The limits as their columns (numbers as exact decimal text). */
const limitColumns = (limits: CampaignLimits) => ({
  perUser: limits.perUser ?? null,
  perPeriodCount: limits.perUserPerPeriod?.count ?? null,
  perPeriod: limits.perUserPerPeriod?.period ?? null,
  budgetCompletions: limits.budgetCompletions ?? null,
  budgetPoints: limits.budgetPoints === undefined ? null : decimalText(limits.budgetPoints)
})

export const insertCampaign = (sql: Sql, campaign: NewCampaign) => {
  const limits = limitColumns(campaign.limits)
  return exec(() => sql`
    insert into campaign.campaigns (id, tenant, name, fulfillments, rewards, status, starts_at, ends_at,
                                    per_user, per_period_count, per_period, budget_completions, budget_points)
    values (${campaign.id}, ${campaign.tenant}, ${campaign.name},
            ${campaign.fulfillments as Array<string>}::uuid[], ${campaign.rewards as Array<string>}::uuid[],
            ${campaign.status}, ${campaign.startsAt}::timestamptz, ${campaign.endsAt}::timestamptz,
            ${limits.perUser}::integer, ${limits.perPeriodCount}::integer, ${limits.perPeriod}::text,
            ${limits.budgetCompletions}::integer, ${limits.budgetPoints}::numeric)
    returning ${campaignColumns(sql)}`).pipe(Effect.flatMap(decodeCampaigns), Effect.map((rows) => rows[0]!))
}

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

/** The campaign, locked until the end of the transaction (a change made of the current values loses no concurrent one). */
export const lockCampaign = (tx: Sql, scope: TenantScope, id: string) =>
  exec(() => tx`select ${campaignColumns(tx)} from campaign.campaigns where id = ${id} and ${tenantFilter(tx, scope)} for update`).pipe(
    Effect.flatMap(decodeCampaigns),
    Effect.map((rows) => rows[0])
  )

/** Changes a campaign of `tenant` (when given, the campaign must belong to it: tenants are immutable). */
export const updateCampaign = (sql: Sql, scope: TenantScope, id: string, tenant: string | undefined, values: CampaignValues) => {
  const limits = limitColumns(values.limits)
  return exec(() => sql`
    update campaign.campaigns
    set name = ${values.name}, fulfillments = ${values.fulfillments as Array<string>}::uuid[],
        rewards = ${values.rewards as Array<string>}::uuid[], status = ${values.status},
        starts_at = ${values.startsAt}::timestamptz, ends_at = ${values.endsAt}::timestamptz,
        per_user = ${limits.perUser}::integer, per_period_count = ${limits.perPeriodCount}::integer, per_period = ${limits.perPeriod}::text,
        budget_completions = ${limits.budgetCompletions}::integer, budget_points = ${limits.budgetPoints}::numeric,
        updated_at = now()
    where id = ${id} and ${tenantFilter(sql, scope)} and (${tenant ?? null}::text is null or tenant = ${tenant ?? null})
    returning ${campaignColumns(sql)}`).pipe(Effect.flatMap(decodeCampaigns), Effect.map((rows) => rows[0]))
}

export const deleteCampaign = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`delete from campaign.campaigns where id = ${id} and ${tenantFilter(sql, scope)} returning id`).pipe(
    Effect.map((rows) => rows.length > 0)
  )
