import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { Account, Entry } from "./model.ts"

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const text = D.toText

/**
 * Writes what a change did to its accounts in one statement: the new lots, the changed ones, the
 * entries in their order (each naming its lot by the lot's key, new or not) and the balances.
 */
export const saveAccounts = (tx: Sql, accounts: ReadonlyArray<Account>, entries: ReadonlyArray<Entry>) => {
  const fresh = accounts.flatMap((account) => account.lots.filter((lot) => lot.isNew).map((lot) => ({ account, lot })))
  const changed = accounts.flatMap((account) => account.lots.filter((lot) => lot.changed && !lot.isNew))
  if (accounts.length === 0 && entries.length === 0) return Effect.void
  const column = <A>(f: (entry: Entry) => A) => entries.map(f)
  return exec(() => tx`
    with new_lots as (
      insert into reward.lots (tenant, user_id, lot_key, source, points, multiplier, remaining, reversed, occurred_at, available_at, expires_at, pending, expired)
      select * from unnest(
        ${fresh.map((l) => l.account.tenant)}::text[], ${fresh.map((l) => l.account.userId)}::text[], ${fresh.map((l) => l.lot.lotKey)}::text[],
        ${fresh.map((l) => l.lot.source)}::text[], ${fresh.map((l) => text(l.lot.points))}::numeric[], ${fresh.map((l) => text(l.lot.multiplier))}::numeric[],
        ${fresh.map((l) => text(l.lot.remaining))}::numeric[], ${fresh.map((l) => text(l.lot.reversed))}::numeric[],
        ${fresh.map((l) => iso(l.lot.occurredAt))}::timestamptz[], ${fresh.map((l) => iso(l.lot.availableAt))}::timestamptz[],
        ${fresh.map((l) => iso(l.lot.expiresAt))}::timestamptz[], ${fresh.map((l) => String(l.lot.pending))}::text[]::boolean[],
        ${fresh.map((l) => String(l.lot.expired))}::text[]::boolean[])
      returning id, tenant, lot_key
    ),
    changed_lots as (
      update reward.lots l set remaining = v.remaining, reversed = v.reversed, pending = v.pending, expired = v.expired
      from unnest(${changed.map((lot) => lot.id!)}::bigint[], ${changed.map((lot) => text(lot.remaining))}::numeric[], ${changed.map((lot) => text(lot.reversed))}::numeric[],
                  ${changed.map((lot) => String(lot.pending))}::text[]::boolean[], ${changed.map((lot) => String(lot.expired))}::text[]::boolean[])
        as v(id, remaining, reversed, pending, expired)
      where l.id = v.id
      returning l.id
    ),
    entries as (
      insert into reward.ledger (tenant, user_id, amount, pending_change, shortfall, kind, lot_id, reward_id, campaign_id, event_id, cause_event_id,
                                 order_id, occurred_at, basis, order_ids, redemption_id, reason, idempotency_key, actor_kind, actor_id, balance_after)
      select i.tenant, i.user_id, i.amount, i.pending_change, i.shortfall, i.kind, coalesce(n.id, l.id), i.reward_id, i.campaign_id, i.event_id,
             i.cause_event_id, i.order_id, i.occurred_at, i.basis,
             case when i.order_ids is null then null else array(select jsonb_array_elements_text(i.order_ids::jsonb)) end,
             i.redemption_id, i.reason, i.idempotency_key, i.actor_kind, i.actor_id, i.balance_after
      from unnest(
        ${column((e) => e.tenant)}::text[], ${column((e) => e.userId)}::text[], ${column((e) => text(e.amount))}::numeric[],
        ${column((e) => text(e.pendingChange))}::numeric[], ${column((e) => text(e.shortfall))}::numeric[], ${column((e) => e.kind)}::text[],
        ${column((e) => e.lotKey)}::text[], ${column((e) => e.rewardId)}::uuid[], ${column((e) => e.campaignId)}::uuid[], ${column((e) => e.eventId)}::text[],
        ${column((e) => e.causeEventId)}::text[], ${column((e) => e.orderId)}::text[], ${column((e) => iso(e.occurredAt))}::timestamptz[],
        ${column((e) => e.basis)}::numeric[], ${column((e) => (e.orderIds === null ? null : JSON.stringify(e.orderIds)))}::text[],
        ${column((e) => e.redemptionId)}::uuid[], ${column((e) => e.reason)}::text[], ${column((e) => e.idempotencyKey)}::text[],
        ${column((e) => e.actor?.kind ?? null)}::text[], ${column((e) => e.actor?.id ?? null)}::text[],
        ${column((e) => text(e.balanceAfter))}::numeric[]
      ) with ordinality as i(tenant, user_id, amount, pending_change, shortfall, kind, lot_key, reward_id, campaign_id, event_id, cause_event_id,
                             order_id, occurred_at, basis, order_ids, redemption_id, reason, idempotency_key, actor_kind, actor_id, balance_after, position)
      left join new_lots n on n.tenant = i.tenant and n.lot_key = i.lot_key
      left join reward.lots l on l.tenant = i.tenant and l.lot_key = i.lot_key
      order by i.position
      returning id
    ),
    balances as (
      update reward.balances b set points = v.points, pending = v.pending, earned = v.earned, tier = v.tier, tier_review_at = v.review, updated_at = now()
      from unnest(${accounts.map((a) => a.tenant)}::text[], ${accounts.map((a) => a.userId)}::text[], ${accounts.map((a) => text(a.points))}::numeric[],
                  ${accounts.map((a) => text(a.pending))}::numeric[], ${accounts.map((a) => text(a.earned))}::numeric[], ${accounts.map((a) => a.tier)}::text[],
                  ${accounts.map((a) => iso(a.tierReviewAt))}::timestamptz[]) as v(tenant, user_id, points, pending, earned, tier, review)
      where b.tenant = v.tenant and b.user_id = v.user_id
      returning 1
    )
    select (select count(*) from new_lots) as lots, (select count(*) from changed_lots) as changed,
           (select count(*) from entries) as entries, (select count(*) from balances) as balances`).pipe(Effect.asVoid)
}
