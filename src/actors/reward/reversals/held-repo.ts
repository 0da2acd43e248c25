import { Effect, Schema } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { decodeRows } from "../../../db/rows.ts"
import { RewardRevokedEvent } from "../../../events/reward.ts"

/** A reversal as it waits for its credit: the event and its event time. */
export const HeldReversal = Schema.Struct({
  event: RewardRevokedEvent,
  eventId: Schema.String,
  eventTime: Schema.Number
})
export type HeldReversal = typeof HeldReversal.Type

const decodeHeld = decodeRows(Schema.Struct({ tenant: Schema.String, credit_key: Schema.String, held: HeldReversal }))

/** Keeps reversals whose credit is not there yet; a replay of one changes nothing. */
export const holdReversals = (tx: Sql, held: ReadonlyArray<HeldReversal & { readonly creditKey: string }>) =>
  held.length === 0 ? Effect.void : exec(() => tx`
    insert into reward.held_reversals (tenant, event_id, credit_key, user_id, event)
    select * from unnest(${held.map((h) => h.event.tenant)}::text[], ${held.map((h) => h.eventId)}::text[], ${held.map((h) => h.creditKey)}::text[],
                         ${held.map((h) => h.event.userId)}::text[], ${held.map((h) => JSON.stringify({ event: h.event, eventId: h.eventId, eventTime: h.eventTime }))}::text[]::jsonb[])
    on conflict (tenant, event_id) do nothing`).pipe(Effect.asVoid)

/**
 * Takes the reversals held for these credits (by tenant, user and lot key), oldest first: they are
 * deleted here and applied in the same transaction, so each is applied exactly once.
 */
export const releaseHeld = (tx: Sql, credits: ReadonlyArray<{ readonly tenant: string; readonly userId: string; readonly creditKey: string }>) =>
  credits.length === 0 ? Effect.succeed([]) : exec(() => tx`
    with released as (
      delete from reward.held_reversals h
      using unnest(${credits.map((c) => c.tenant)}::text[], ${credits.map((c) => c.userId)}::text[], ${credits.map((c) => c.creditKey)}::text[])
        as k(tenant, user_id, credit_key)
      where h.tenant = k.tenant and h.user_id = k.user_id and h.credit_key = k.credit_key
      returning h.tenant, h.credit_key, h.event as held, h.held_at, h.event_id
    )
    select tenant, credit_key, held from released order by held_at, event_id`).pipe(Effect.flatMap(decodeHeld))

/** Whose the named credits are, by lot key, within each tenant: a reversal must name its own user's credit. */
export const creditOwners = (tx: Sql, credits: ReadonlyArray<{ readonly tenant: string; readonly creditKey: string }>) =>
  credits.length === 0 ? Effect.succeed(new Map<string, string>()) : exec(() => tx<Array<{ tenant: string; lot_key: string; user_id: string }>>`
    select l.tenant, l.lot_key, l.user_id from reward.lots l
    join unnest(${credits.map((c) => c.tenant)}::text[], ${credits.map((c) => c.creditKey)}::text[]) as k(tenant, lot_key)
      on l.tenant = k.tenant and l.lot_key = k.lot_key`).pipe(
    Effect.map((rows) => new Map(rows.map((row) => [`${row.tenant}\u0000${row.lot_key}`, row.user_id])))
  )
