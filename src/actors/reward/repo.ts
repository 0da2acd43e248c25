import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import * as D from "../../domain/decimal.ts"
import type { EarnRule } from "../../domain/earning.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Balance } from "./model.ts"
import { RewardRow, storedReward } from "./reward-row.ts"

const decodeRewards = decodeRows(RewardRow)
const decodeBalances = decodeRows(Balance)

const rewardColumns = (sql: Sql) => sql`
  tenant, id::text as reward_id, name, kind, points::text as points, points_per_unit::text as points_per_unit,
  unit::text as unit, rounding, max_points::text as max_points, version::text as version,
  ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "updated_at")} as updated_at`

/** A rule's columns, as exact decimal text; null where its kind has none. */
const ruleColumns = (rule: EarnRule) => {
  const text = (value: D.Decimal | null) => (value === null ? null : D.toText(value))
  return rule.kind === "fixed"
    ? { kind: rule.kind, points: text(rule.points), pointsPerUnit: null, unit: null, rounding: null, maxPoints: null }
    : { kind: rule.kind, points: null, pointsPerUnit: text(rule.pointsPerUnit), unit: text(rule.unit), rounding: rule.rounding, maxPoints: text(rule.maxPoints) }
}

const first = (rows: ReadonlyArray<RewardRow>) => (rows[0] === undefined ? undefined : storedReward(rows[0]))

export interface NewReward {
  readonly id: string
  readonly tenant: string
  readonly rule: EarnRule
  readonly name: string | null
}

export const insertReward = (sql: Sql, reward: NewReward) => {
  const c = ruleColumns(reward.rule)
  return exec(() => sql`
    insert into reward.rewards (id, tenant, name, kind, points, points_per_unit, unit, rounding, max_points)
    values (${reward.id}, ${reward.tenant}, ${reward.name}, ${c.kind}, ${c.points}::numeric, ${c.pointsPerUnit}::numeric,
            ${c.unit}::numeric, ${c.rounding}, ${c.maxPoints}::numeric)
    returning ${rewardColumns(sql)}`).pipe(Effect.flatMap(decodeRewards), Effect.map((rows) => first(rows)!))
}

export const listRewards = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${rewardColumns(sql)} from reward.rewards r
    where ${tenantFilter(sql, scope)}
    order by r.created_at, r.id limit ${page.limit} offset ${page.offset}`).pipe(
    Effect.flatMap(decodeRewards),
    Effect.map((rows) => rows.map(storedReward))
  )

export const findReward = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`select ${rewardColumns(sql)} from reward.rewards where id = ${id} and ${tenantFilter(sql, scope)}`).pipe(
    Effect.flatMap(decodeRewards),
    Effect.map(first)
  )

/** Replaces the rule (every column of it) and raises the version; the name changes only when given. */
export const updateReward = (sql: Sql, scope: TenantScope, id: string, changes: { rule: EarnRule; name: string | null | undefined }) => {
  const c = ruleColumns(changes.rule)
  return exec(() => sql`
    update reward.rewards
    set kind = ${c.kind}, points = ${c.points}::numeric, points_per_unit = ${c.pointsPerUnit}::numeric, unit = ${c.unit}::numeric,
        rounding = ${c.rounding}, max_points = ${c.maxPoints}::numeric,
        name = case when ${changes.name === undefined} then name else ${changes.name ?? null} end,
        version = nextval('reward.reward_versions'),
        updated_at = now()
    where id = ${id} and ${tenantFilter(sql, scope)}
    returning ${rewardColumns(sql)}`).pipe(Effect.flatMap(decodeRewards), Effect.map(first))
}

/** The reward as it was, with the version its deletion is published under; undefined when there is none. */
export const deleteReward = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`
    with gone as (delete from reward.rewards where id = ${id} and ${tenantFilter(sql, scope)} returning *)
    select tenant, id::text as reward_id, name, kind, points::text as points, points_per_unit::text as points_per_unit,
           unit::text as unit, rounding, max_points::text as max_points, nextval('reward.reward_versions')::text as version,
           ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "updated_at")} as updated_at
    from gone`).pipe(Effect.flatMap(decodeRewards), Effect.map(first))

export const listBalances = (sql: Sql, scope: TenantScope, userId: string | undefined, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select tenant, user_id, points::float8 as points from reward.balances
    where ${tenantFilter(sql, scope)} and (${userId ?? null}::text is null or user_id = ${userId ?? null})
    order by tenant, user_id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeBalances))

/** A user's balance in a tenant; a user who never earned anything has 0. */
export const balanceOf = (sql: Sql, tenant: string, userId: string) =>
  exec(() => sql<Array<{ points: number }>>`
    select points::float8 as points from reward.balances where tenant = ${tenant} and user_id = ${userId}`).pipe(
    Effect.map((rows) => rows[0]?.points ?? 0)
  )
