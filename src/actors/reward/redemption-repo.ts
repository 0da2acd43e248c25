import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { decimalText } from "../../domain/primitives.ts"
import { Redemption } from "./model.ts"

const decodeRedemptions = decodeRows(Redemption)

const redemptionColumns = (sql: Sql) => sql`
  id::text as id, tenant, user_id as "userId", points::float8 as points, reason, idempotency_key as "idempotencyKey",
  balance_after::float8 as balance, ${isoTime(sql, "created_at")} as "createdAt"`

export const findRedemptionByKey = (sql: Sql, tenant: string, idempotencyKey: string) =>
  exec(() => sql`select ${redemptionColumns(sql)} from reward.redemptions where tenant = ${tenant} and idempotency_key = ${idempotencyKey}`).pipe(
    Effect.flatMap(decodeRedemptions),
    Effect.map((rows) => rows[0])
  )

/** Claims the idempotency key; false when another redemption (committed or in flight) holds it. */
export const claimIdempotencyKey = (
  sql: Sql,
  redemption: { id: string; tenant: string; userId: string; idempotencyKey: string; points: number; reason: string }
) =>
  exec(() => sql`
    insert into reward.redemptions (id, tenant, user_id, idempotency_key, points, reason, balance_after)
    values (${redemption.id}, ${redemption.tenant}, ${redemption.userId}, ${redemption.idempotencyKey},
            ${decimalText(redemption.points)}::numeric, ${redemption.reason}, 0)
    on conflict (tenant, idempotency_key) do nothing
    returning id`).pipe(Effect.map((rows) => rows.length > 0))

/**
 * Debits atomically: the row lock and the `points >= debit` condition are evaluated together, so
 * concurrent debits can never take a balance below zero. Returns the new balance, or undefined.
 */
export const debitBalance = (sql: Sql, tenant: string, userId: string, points: number) =>
  exec(() => sql<Array<{ balance: string }>>`
    update reward.balances set points = points - ${decimalText(points)}::numeric, updated_at = now()
    where tenant = ${tenant} and user_id = ${userId} and points >= ${decimalText(points)}::numeric
    returning points::text as balance`).pipe(Effect.map((rows) => rows[0]?.balance))

export const recordRedemption = (sql: Sql, redemption: { id: string; tenant: string; userId: string; points: number; balance: string }) =>
  exec(() => sql`
    with entry as (
      insert into reward.ledger (tenant, user_id, amount, kind, redemption_id)
      values (${redemption.tenant}, ${redemption.userId}, -${decimalText(redemption.points)}::numeric, 'redemption', ${redemption.id})
    )
    update reward.redemptions set balance_after = ${redemption.balance}::numeric where id = ${redemption.id}
    returning ${redemptionColumns(sql)}`).pipe(Effect.flatMap(decodeRedemptions), Effect.map((rows) => rows[0]!))
