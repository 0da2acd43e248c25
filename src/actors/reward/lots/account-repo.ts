import { Effect, Schema } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { decodeRows } from "../../../db/rows.ts"
import * as D from "../../../domain/decimal.ts"
import { type Account, accountKey, type Lot } from "./model.ts"

/** An account a change needs, with what besides its open lots it must see. */
export interface AccountWanted {
  readonly tenant: string
  readonly userId: string
  /** Credits since then count for the tier (the window's start); null without a window. */
  readonly tierSince: number | null
  /** Lots by key, also when spent or expired (a reversal's credit). */
  readonly lotKeys: ReadonlyArray<string>
  /**
   * Whether the change may spend: then every open lot is loaded. A plain credit touches only its
   * own new lot, so it does without them (a user may hold thousands).
   */
  readonly openLots?: boolean
}

const BalanceRow = Schema.Struct({
  tenant: Schema.String,
  user_id: Schema.String,
  points: Schema.String,
  pending: Schema.String,
  earned: Schema.String,
  tier: Schema.NullOr(Schema.String),
  tier_review_at: Schema.NullOr(Schema.Number)
})
const LotRow = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  user_id: Schema.String,
  lot_key: Schema.String,
  source: Schema.Literals(["credit", "adjustment", "opening"]),
  points: Schema.String,
  multiplier: Schema.String,
  remaining: Schema.String,
  reversed: Schema.String,
  occurred_at: Schema.Number,
  available_at: Schema.Number,
  expires_at: Schema.NullOr(Schema.Number),
  pending: Schema.Boolean,
  expired: Schema.Boolean
})
const decodeBalances = decodeRows(BalanceRow)
const decodeLots = decodeRows(LotRow)

const epochMs = (sql: Sql, column: string) => sql`(extract(epoch from ${sql(column)}) * 1000)::float8`
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const sorted = (wanted: ReadonlyArray<AccountWanted>) =>
  [...new Map(wanted.map((w) => [accountKey(w.tenant, w.userId), w])).values()]
    .sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))

/**
 * Locks the accounts (their balance rows, created when missing, in key order, so two batches never
 * deadlock) and loads them with the lots a change can touch.
 */
export const lockAccounts = (tx: Sql, wanted: ReadonlyArray<AccountWanted>) =>
  Effect.gen(function*() {
    const wantsOpenLots = new Set(wanted.filter((w) => w.openLots ?? true).map((w) => accountKey(w.tenant, w.userId)))
    const keys = sorted(wanted).map((k) => ({ ...k, openLots: wantsOpenLots.has(accountKey(k.tenant, k.userId)) }))
    if (keys.length === 0) return new Map<string, Account>()
    const tenants = keys.map((k) => k.tenant)
    const users = keys.map((k) => k.userId)
    // One statement creates the missing rows and locks them all, in key order. An ON CONFLICT DO
    // UPDATE whose condition is false still locks the row it conflicts with, and writes nothing:
    // the account's one write is the batch's own update of it.
    yield* exec(() => tx`
      insert into reward.balances as b (tenant, user_id, points)
      select tenant, user_id, 0 from unnest(${tenants}::text[], ${users}::text[]) with ordinality as k(tenant, user_id, position)
      order by k.position
      on conflict (tenant, user_id) do update set tenant = excluded.tenant where false`)
    // Then read, all of them now locked by this transaction (and so as they stand).
    const balances = yield* exec(() => tx`
      select b.tenant, b.user_id, b.points::text as points, b.pending::text as pending, b.earned::text as earned, b.tier,
             ${epochMs(tx, "tier_review_at")} as tier_review_at
      from reward.balances b join unnest(${tenants}::text[], ${users}::text[]) as k(tenant, user_id) on b.tenant = k.tenant and b.user_id = k.user_id`).pipe(
      Effect.flatMap(decodeBalances)
    )
    // A plain credit without a tier window needs no lot of the user's at all: it is not looked for.
    const needingLots = keys.filter((k) => k.openLots || k.tierSince !== null || k.lotKeys.length > 0)
    const lotKeys = needingLots.flatMap((k) => k.lotKeys.map((lotKey) => ({ tenant: k.tenant, lotKey })))
    const lots = needingLots.length === 0 ? [] : yield* exec(() => tx`
      select l.id::text as id, l.tenant, l.user_id, l.lot_key, l.source, l.points::text as points, l.multiplier::text as multiplier,
             l.remaining::text as remaining, l.reversed::text as reversed, ${epochMs(tx, "occurred_at")} as occurred_at,
             ${epochMs(tx, "available_at")} as available_at, ${epochMs(tx, "expires_at")} as expires_at, l.pending, l.expired
      from reward.lots l
      join unnest(${needingLots.map((k) => k.tenant)}::text[], ${needingLots.map((k) => k.userId)}::text[], ${needingLots.map((k) => iso(k.tierSince))}::timestamptz[],
                  ${needingLots.map((k) => String(k.openLots ?? true))}::text[]::boolean[])
        as k(tenant, user_id, since, open_lots) on l.tenant = k.tenant and l.user_id = k.user_id
      where (k.open_lots and not l.expired and (l.remaining > 0 or l.pending))
         or (k.since is not null and l.source in ('credit', 'opening') and l.occurred_at > k.since)
         or (l.tenant, l.lot_key) in (select * from unnest(${lotKeys.map((k) => k.tenant)}::text[], ${lotKeys.map((k) => k.lotKey)}::text[]))
      order by l.id`).pipe(Effect.flatMap(decodeLots))
    const accounts = new Map<string, Account>(balances.map((b) => [accountKey(b.tenant, b.user_id), {
      tenant: b.tenant,
      userId: b.user_id,
      points: D.fromText(b.points),
      pending: D.fromText(b.pending),
      earned: D.fromText(b.earned),
      tier: b.tier,
      tierReviewAt: b.tier_review_at,
      lots: []
    }]))
    for (const row of lots) {
      accounts.get(accountKey(row.tenant, row.user_id))?.lots.push({
        id: row.id,
        lotKey: row.lot_key,
        source: row.source,
        points: D.fromText(row.points),
        multiplier: D.fromText(row.multiplier),
        remaining: D.fromText(row.remaining),
        reversed: D.fromText(row.reversed),
        occurredAt: row.occurred_at,
        availableAt: row.available_at,
        expiresAt: row.expires_at,
        pending: row.pending,
        expired: row.expired,
        isNew: false,
        changed: false
      })
    }
    return accounts
  })

/** Finds a lot of an account by its key. */
export const lotOf = (account: Account, lotKey: string): Lot | undefined => account.lots.find((lot) => lot.lotKey === lotKey)
