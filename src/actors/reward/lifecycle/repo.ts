import { Effect, Schema } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { decodeRows, isoTime } from "../../../db/rows.ts"
import { Adjustment, BalanceDetail } from "./model.ts"

const decodeAdjustments = decodeRows(Adjustment)
const decodeDetail = decodeRows(Schema.Struct({
  points: Schema.NullOr(Schema.Number),
  pending: Schema.NullOr(Schema.Number),
  lifetime_earned: Schema.NullOr(Schema.Number),
  tier: Schema.NullOr(Schema.String),
  expiring: BalanceDetail.fields.expiring
}))
const decodeCandidates = decodeRows(Schema.Struct({ tenant: Schema.String, user_id: Schema.String }))

/** The adjustment an idempotency key was used for, with what was asked (moved plus what a clamp stopped). */
export const findAdjustment = (sql: Sql, tenant: string, idempotencyKey: string) =>
  exec(() => sql`
    select id::text as id, tenant, user_id as "userId", amount::float8 as points, shortfall::float8 as shortfall, reason,
           idempotency_key as "idempotencyKey", balance_after::float8 as balance,
           case when actor_kind is null then null else json_build_object('kind', actor_kind, 'id', actor_id) end as actor,
           ${isoTime(sql, "created_at")} as "createdAt"
    from reward.ledger where tenant = ${tenant} and idempotency_key = ${idempotencyKey} and kind = 'adjustment'`).pipe(
    Effect.flatMap(decodeAdjustments),
    Effect.map((rows) => rows[0])
  )

/** A user's balance with its lifecycle; a user who never earned anything has 0 everywhere. One statement, one row. */
export const balanceDetail = (sql: Sql, tenant: string, userId: string) =>
  exec(() => sql`
    select b.points::float8 as points, b.pending::float8 as pending, b.earned::float8 as lifetime_earned, b.tier,
      coalesce((
        select json_agg(json_build_object('points', e.points, 'expires_at', e.expires_at) order by e.at)
        from (select sum(remaining)::float8 as points, ${isoTime(sql, "expires_at")} as expires_at, expires_at as at
              from reward.lots
              where tenant = ${tenant} and user_id = ${userId} and not expired and remaining > 0 and expires_at is not null
              group by expires_at order by expires_at limit 10) e
      ), '[]'::json) as expiring
    from (select 1) as one left join reward.balances b on b.tenant = ${tenant} and b.user_id = ${userId}`).pipe(
    Effect.flatMap(decodeDetail),
    Effect.map(([row]): BalanceDetail => ({
      tenant,
      user_id: userId,
      points: row?.points ?? 0,
      pending: row?.pending ?? 0,
      lifetime_earned: row?.lifetime_earned ?? 0,
      tier: row?.tier ?? null,
      expiring: row?.expiring ?? []
    }))
  )

/**
 * Locks up to `limit` accounts with something due by `now` (a lot to activate or expire, a tier to
 * look at again), skipping those another transaction holds: two job runners take different ones.
 */
export const lockDueAccounts = (tx: Sql, now: number, limit: number) => {
  const at = new Date(now).toISOString()
  return exec(() => tx`
    with due as (
      select tenant, user_id from reward.lots where pending and available_at <= ${at}::timestamptz
      union
      select tenant, user_id from reward.lots where not expired and expires_at <= ${at}::timestamptz
      union
      select tenant, user_id from reward.balances where tier_review_at <= ${at}::timestamptz
    )
    select b.tenant, b.user_id from reward.balances b join due on due.tenant = b.tenant and due.user_id = b.user_id
    order by b.tenant, b.user_id limit ${limit}
    for update of b skip locked`).pipe(Effect.flatMap(decodeCandidates))
}
