import { exec, type Sql } from "../../../db/database.ts"
import { isoTime } from "../../../db/rows.ts"

/** A ledger entry as exported: exact decimals as text, times in ISO 8601 UTC. */
export interface LedgerExportRow extends Record<string, unknown> {
  readonly id: string
  readonly tenant: string
  readonly userId: string
  readonly kind: string
  readonly amount: string
  readonly balanceAfter: string | null
  readonly occurredAt: string | null
  readonly createdAt: string
  readonly rewardId: string | null
  readonly campaignId: string | null
  readonly eventId: string | null
  readonly causeEventId: string | null
  readonly orderId: string | null
  readonly redemptionId: string | null
  readonly reason: string | null
}

export const ledgerColumns: ReadonlyArray<keyof LedgerExportRow & string> = [
  "id", "tenant", "userId", "kind", "amount", "balanceAfter", "occurredAt", "createdAt", "rewardId", "campaignId", "eventId", "causeEventId", "orderId", "redemptionId", "reason"
]

export interface Period {
  /** Entries whose event time is at or after this (inclusive). */
  readonly from: string | undefined
  /** Entries whose event time is before this (exclusive). */
  readonly to: string | undefined
}

/**
 * The tenant's ledger entries after `afterId`, oldest first, whose event time (when the entry has
 * none: when it was written) is in the period. One short statement per page: an export of any
 * size holds no connection or snapshot for long.
 */
export const ledgerPage = (sql: Sql, tenant: string, period: Period, afterId: string, limit: number) =>
  exec(() => sql<Array<LedgerExportRow>>`
    select id::text as id, tenant, user_id as "userId", kind, amount::text as amount, balance_after::text as "balanceAfter",
           case when occurred_at is null then null else ${isoTime(sql, "occurred_at")} end as "occurredAt", ${isoTime(sql, "created_at")} as "createdAt",
           reward_id::text as "rewardId", campaign_id::text as "campaignId", event_id as "eventId", cause_event_id as "causeEventId",
           order_id as "orderId", redemption_id::text as "redemptionId", reason
    from reward.ledger
    where tenant = ${tenant} and id > ${afterId}::bigint
      and (${period.from ?? null}::timestamptz is null or coalesce(occurred_at, created_at) >= ${period.from ?? null}::timestamptz)
      and (${period.to ?? null}::timestamptz is null or coalesce(occurred_at, created_at) < ${period.to ?? null}::timestamptz)
    -- The table's id: the output column of that name is text, and would sort as text.
    order by reward.ledger.id limit ${limit}`)

/** A balance as exported. */
export interface BalanceExportRow extends Record<string, unknown> {
  readonly tenant: string
  readonly userId: string
  readonly points: string
  readonly updatedAt: string
}

export const balanceColumns: ReadonlyArray<keyof BalanceExportRow & string> = ["tenant", "userId", "points", "updatedAt"]

/** The tenant's balances after `afterUser`, by user id. */
export const balancePage = (sql: Sql, tenant: string, afterUser: string | null, limit: number) =>
  exec(() => sql<Array<BalanceExportRow>>`
    select tenant, user_id as "userId", points::text as points, ${isoTime(sql, "updated_at")} as "updatedAt"
    from reward.balances
    where tenant = ${tenant} and (${afterUser}::text is null or user_id > ${afterUser}::text)
    order by user_id limit ${limit}`)
