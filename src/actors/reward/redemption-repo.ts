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
  redemption: { id: string; tenant: string; userId: string; idempotencyKey: string; points: number; reason: string; byMember: boolean }
) =>
  exec(() => sql`
    insert into reward.redemptions (id, tenant, user_id, idempotency_key, points, reason, balance_after, by_member)
    values (${redemption.id}, ${redemption.tenant}, ${redemption.userId}, ${redemption.idempotencyKey},
            ${decimalText(redemption.points)}::numeric, ${redemption.reason}, 0, ${redemption.byMember})
    on conflict (tenant, idempotency_key) do nothing
    returning id`).pipe(Effect.map((rows) => rows.length > 0))

/** The redemption's balance after it, once its entry is written. */
export const recordRedemption = (sql: Sql, redemption: { id: string; balance: string }) =>
  exec(() => sql`
    update reward.redemptions set balance_after = ${redemption.balance}::numeric where id = ${redemption.id}
    returning ${redemptionColumns(sql)}`).pipe(Effect.flatMap(decodeRedemptions), Effect.map((rows) => rows[0]!))
