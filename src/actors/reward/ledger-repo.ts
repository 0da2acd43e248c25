import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import type { EntryKind } from "./lots/model.ts"
import { LedgerEntry } from "./model.ts"

const decodeEntries = decodeRows(LedgerEntry)

/** Newest first; `before` is the id of the last entry of the previous page. */
export const ledgerPage = (sql: Sql, tenant: string, userId: string, page: { limit: number; before: string | undefined; kind?: EntryKind | undefined }) =>
  exec(() => sql`
    select id::text as id, amount::float8 as amount, kind, reward_id::text as "rewardId", campaign_id::text as "campaignId",
           event_id as "eventId", redemption_id::text as "redemptionId",
           ${isoTime(sql, "occurred_at")} as "occurredAt", basis::float8 as basis,
           order_ids as "orderIds", ${isoTime(sql, "created_at")} as "createdAt",
           pending_change::float8 as pending, shortfall::float8 as shortfall, balance_after::float8 as "balanceAfter", lot_id::text as "lotId",
           cause_event_id as "causeEventId", order_id as "orderId", reason, idempotency_key as "idempotencyKey",
           case when actor_kind is null then null else json_build_object('kind', actor_kind, 'id', actor_id) end as actor
    from reward.ledger
    where tenant = ${tenant} and user_id = ${userId} and (${page.before ?? null}::bigint is null or id < ${page.before ?? null}::bigint)
      and (${page.kind ?? null}::text is null or kind = ${page.kind ?? null})
    order by reward.ledger.id desc limit ${page.limit}`).pipe(Effect.flatMap(decodeEntries))
