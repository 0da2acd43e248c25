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
 * Takes the reversals held for these credits (by tenant and lot key), oldest first: they are
 * deleted here and applied in the same transaction, so each is applied exactly once.
 */
export const releaseHeld = (tx: Sql, credits: ReadonlyArray<{ readonly tenant: string; readonly creditKey: string }>) =>
  credits.length === 0 ? Effect.succeed([]) : exec(() => tx`
    with released as (
      delete from reward.held_reversals h
      using unnest(${credits.map((c) => c.tenant)}::text[], ${credits.map((c) => c.creditKey)}::text[]) as k(tenant, credit_key)
      where h.tenant = k.tenant and h.credit_key = k.credit_key
      returning h.tenant, h.credit_key, h.event as held, h.held_at, h.event_id
    )
    select tenant, credit_key, held from released order by held_at, event_id`).pipe(Effect.flatMap(decodeHeld))
