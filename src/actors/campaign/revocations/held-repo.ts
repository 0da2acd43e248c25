import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { tenantFilter } from "../../../db/tenant-filter.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import type { FulfillmentRevokedEvent } from "../../../events/fulfillment-revoked.ts"

/** A revocation waiting for its fulfillment event. */
export interface HeldRevocation {
  readonly eventId: string
  readonly event: FulfillmentRevokedEvent
}

export const holdRevocations = (tx: Sql, held: ReadonlyArray<HeldRevocation>) => {
  if (held.length === 0) return Effect.void
  return exec(() => tx`
    insert into campaign.held_revocations (tenant, fulfillment_event_id, event_id, user_id, event)
    select k.tenant, k.fe, k.id, k.user_id, k.event::jsonb
    from unnest(${held.map((h) => h.event.tenant)}::text[], ${held.map((h) => h.event.fulfillmentEventId)}::text[], ${held.map((h) => h.eventId)}::text[],
                ${held.map((h) => h.event.userId)}::text[], ${held.map((h) => JSON.stringify(h.event))}::text[]) as k(tenant, fe, id, user_id, event)
    on conflict do nothing`).pipe(Effect.asVoid)
}

/** The revocations held for the fulfillment events `refs`, removed from the table (they are applied in the same transaction), in arrival order. */
export const takeHeld = (tx: Sql, refs: ReadonlyArray<{ readonly tenant: string; readonly eventId: string }>) => {
  if (refs.length === 0) return Effect.succeed([] as ReadonlyArray<HeldRevocation>)
  return exec(() => tx<Array<{ event_id: string; event: string; held_at: string }>>`
    delete from campaign.held_revocations h
    using unnest(${refs.map((r) => r.tenant)}::text[], ${refs.map((r) => r.eventId)}::text[]) as k(tenant, event_id)
    where h.tenant = k.tenant and h.fulfillment_event_id = k.event_id
    returning h.event_id, h.event::text as event, h.held_at::text as held_at`).pipe(
    Effect.map((rows) =>
      [...rows].sort((a, b) => (a.held_at < b.held_at ? -1 : a.held_at > b.held_at ? 1 : 0))
        .map((r): HeldRevocation => ({ eventId: r.event_id, event: JSON.parse(r.event) as FulfillmentRevokedEvent }))
    )
  )
}

/** How many revocations wait for their fulfillment event in each tenant of `scope` (tenants with none are left out), and since when. */
export const heldRevocationSummary = (sql: Sql, scope: TenantScope) =>
  exec(() => sql<Array<{ tenant: string; held: number; oldest: string }>>`
    select tenant, count(*)::int as held, to_char(min(held_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as oldest
    from campaign.held_revocations
    where ${tenantFilter(sql, scope)}
    group by tenant order by tenant`).pipe(Effect.map((rows) => rows.map((r) => ({ tenant: r.tenant, held: r.held, oldest: r.oldest }))))

/**
 * Every fulfillment and revocation batch takes a lock per user first (in a fixed order), so that a
 * revocation and its fulfillment event handled at once never both miss each other: the second to
 * run sees whether the first held the revocation or handled the fulfillment.
 */
export const lockUsers = (tx: Sql, users: ReadonlyArray<{ readonly tenant: string; readonly userId: string }>) => {
  const keys = [...new Set(users.map((u) => JSON.stringify([u.tenant, u.userId])))].sort()
  if (keys.length === 0) return Effect.void
  return exec(() => tx`
    select pg_advisory_xact_lock(hashtextextended(k.key, 7161))
    from unnest(${keys}::text[]) with ordinality as k(key, n) order by k.n`).pipe(Effect.asVoid)
}
