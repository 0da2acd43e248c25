import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import { decimalText } from "../../domain/primitives.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Balance, Reward } from "./model.ts"

const decodeRewards = decodeRows(Reward)
const decodeBalances = decodeRows(Balance)

const rewardColumns = (sql: Sql) => sql`
  tenant, id::text as reward_id, points::float8 as reward_points, name,
  ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "updated_at")} as updated_at`

export interface NewReward {
  readonly id: string
  readonly tenant: string
  readonly points: number
  readonly name: string | null
}

export const insertReward = (sql: Sql, reward: NewReward) =>
  exec(() => sql`
    insert into reward.rewards (id, tenant, points, name)
    values (${reward.id}, ${reward.tenant}, ${decimalText(reward.points)}::numeric, ${reward.name})
    returning ${rewardColumns(sql)}`).pipe(Effect.flatMap(decodeRewards), Effect.map((rows) => rows[0]!))

export const listRewards = (sql: Sql, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${rewardColumns(sql)} from reward.rewards r
    where ${tenantFilter(sql, scope)}
    order by r.created_at, r.id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(decodeRewards))

export const findReward = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`select ${rewardColumns(sql)} from reward.rewards where id = ${id} and ${tenantFilter(sql, scope)}`).pipe(
    Effect.flatMap(decodeRewards),
    Effect.map((rows) => rows[0])
  )

export const updateReward = (sql: Sql, scope: TenantScope, id: string, changes: { points: number; name: string | null | undefined }) =>
  exec(() => sql`
    update reward.rewards
    set points = ${decimalText(changes.points)}::numeric,
        name = case when ${changes.name === undefined} then name else ${changes.name ?? null} end,
        updated_at = now()
    where id = ${id} and ${tenantFilter(sql, scope)}
    returning ${rewardColumns(sql)}`).pipe(Effect.flatMap(decodeRewards), Effect.map((rows) => rows[0]))

export const deleteReward = (sql: Sql, scope: TenantScope, id: string) =>
  exec(() => sql`delete from reward.rewards where id = ${id} and ${tenantFilter(sql, scope)} returning id`).pipe(
    Effect.map((rows) => rows.length > 0)
  )

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
