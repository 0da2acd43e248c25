import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { Account, Entry } from "./model.ts"

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const text = D.toText

/** New lots in one statement; each gets its id. */
const insertLots = (tx: Sql, accounts: ReadonlyArray<Account>) => {
  const lots = accounts.flatMap((account) => account.lots.filter((lot) => lot.isNew).map((lot) => ({ account, lot })))
  if (lots.length === 0) return Effect.void
  return exec(() => tx<Array<{ id: string; tenant: string; lot_key: string }>>`
    insert into reward.lots (tenant, user_id, lot_key, source, points, multiplier, remaining, reversed, occurred_at, available_at, expires_at, pending, expired)
    select * from unnest(
      ${lots.map((l) => l.account.tenant)}::text[], ${lots.map((l) => l.account.userId)}::text[], ${lots.map((l) => l.lot.lotKey)}::text[],
      ${lots.map((l) => l.lot.source)}::text[], ${lots.map((l) => text(l.lot.points))}::numeric[], ${lots.map((l) => text(l.lot.multiplier))}::numeric[],
      ${lots.map((l) => text(l.lot.remaining))}::numeric[], ${lots.map((l) => text(l.lot.reversed))}::numeric[],
      ${lots.map((l) => iso(l.lot.occurredAt))}::timestamptz[], ${lots.map((l) => iso(l.lot.availableAt))}::timestamptz[],
      ${lots.map((l) => iso(l.lot.expiresAt))}::timestamptz[], ${lots.map((l) => String(l.lot.pending))}::text[]::boolean[], ${lots.map((l) => String(l.lot.expired))}::text[]::boolean[])
    returning id::text as id, tenant, lot_key`).pipe(
    Effect.map((rows) => {
      const ids = new Map(rows.map((row) => [`${row.tenant}\u0000${row.lot_key}`, row.id]))
      for (const { account, lot } of lots) lot.id = ids.get(`${account.tenant}\u0000${lot.lotKey}`) ?? null
    })
  )
}

const updateLots = (tx: Sql, accounts: ReadonlyArray<Account>) => {
  const lots = accounts.flatMap((account) => account.lots.filter((lot) => lot.changed && !lot.isNew))
  if (lots.length === 0) return Effect.void
  return exec(() => tx`
    update reward.lots l set remaining = v.remaining, reversed = v.reversed, pending = v.pending, expired = v.expired
    from unnest(${lots.map((lot) => lot.id!)}::bigint[], ${lots.map((lot) => text(lot.remaining))}::numeric[], ${lots.map((lot) => text(lot.reversed))}::numeric[],
                ${lots.map((lot) => String(lot.pending))}::text[]::boolean[], ${lots.map((lot) => String(lot.expired))}::text[]::boolean[]) as v(id, remaining, reversed, pending, expired)
    where l.id = v.id`).pipe(Effect.asVoid)
}

/** The entries in their order, each naming its lot by the lot's key. */
const insertEntries = (tx: Sql, entries: ReadonlyArray<Entry>) => {
  if (entries.length === 0) return Effect.void
  const column = <A>(f: (entry: Entry) => A) => entries.map(f)
  return exec(() => tx`
    insert into reward.ledger (tenant, user_id, amount, pending_change, shortfall, kind, lot_id, reward_id, campaign_id, event_id, cause_event_id,
                               order_id, occurred_at, basis, order_ids, redemption_id, reason, idempotency_key, actor_kind, actor_id, balance_after)
    select i.tenant, i.user_id, i.amount, i.pending_change, i.shortfall, i.kind, l.id, i.reward_id, i.campaign_id, i.event_id, i.cause_event_id,
           i.order_id, i.occurred_at, i.basis,
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
    left join reward.lots l on l.tenant = i.tenant and l.lot_key = i.lot_key
    order by i.position`).pipe(Effect.asVoid)
}

const updateBalances = (tx: Sql, accounts: ReadonlyArray<Account>) =>
  accounts.length === 0 ? Effect.void : exec(() => tx`
    update reward.balances b set points = v.points, pending = v.pending, earned = v.earned, tier = v.tier, tier_review_at = v.review, updated_at = now()
    from unnest(${accounts.map((a) => a.tenant)}::text[], ${accounts.map((a) => a.userId)}::text[], ${accounts.map((a) => text(a.points))}::numeric[],
                ${accounts.map((a) => text(a.pending))}::numeric[], ${accounts.map((a) => text(a.earned))}::numeric[], ${accounts.map((a) => a.tier)}::text[],
                ${accounts.map((a) => iso(a.tierReviewAt))}::timestamptz[]) as v(tenant, user_id, points, pending, earned, tier, review)
    where b.tenant = v.tenant and b.user_id = v.user_id`).pipe(Effect.asVoid)

/** Writes what a change did to its accounts: new and changed lots, the entries, the balances. */
export const saveAccounts = (tx: Sql, accounts: ReadonlyArray<Account>, entries: ReadonlyArray<Entry>) =>
  Effect.all([insertLots(tx, accounts), updateLots(tx, accounts), insertEntries(tx, entries), updateBalances(tx, accounts)], { concurrency: 1 }).pipe(Effect.asVoid)
