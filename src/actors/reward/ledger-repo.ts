import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { LedgerEntry } from "./model.ts"

const decodeEntries = decodeRows(LedgerEntry)

/** Newest first; `before` is the id of the last entry of the previous page. */
export const ledgerPage = (sql: Sql, tenant: string, userId: string, page: { limit: number; before: string | undefined }) =>
  exec(() => sql`
    select id::text as id, amount::float8 as amount, kind, reward_id::text as "rewardId", campaign_id::text as "campaignId",
           event_id as "eventId", redemption_id::text as "redemptionId",
           ${isoTime(sql, "occurred_at")} as "occurredAt", basis::float8 as basis,
           order_ids as "orderIds", ${isoTime(sql, "created_at")} as "createdAt"
    from reward.ledger
    where tenant = ${tenant} and user_id = ${userId} and (${page.before ?? null}::bigint is null or id < ${page.before ?? null}::bigint)
    order by id desc limit ${page.limit}`).pipe(Effect.flatMap(decodeEntries))
