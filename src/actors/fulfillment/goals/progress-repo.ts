import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { fromText, toText } from "../../../domain/decimal.ts"
import type { Contribution } from "./accumulator.ts"
import { keyText, type ProgressKey, type StoredProgress } from "./settle.ts"

export interface ProgressRow {
  readonly tenant: string
  readonly user_id: string
  readonly fulfillment_id: string
  readonly rule: string
  readonly latest: string
  readonly contributions: string
}

/**
 * Stored as `[at, "amount", "ref", "eventId"]`: times are whole ms (exact in JSON), amounts decimal
 * text (exact); the event id is absent in progress stored before refunds.
 */
type StoredContribution = readonly [number, string, string, string?]

export const encodeContributions = (contributions: ReadonlyArray<Contribution>) =>
  JSON.stringify(contributions.map((c): StoredContribution => (c.eventId === undefined ? [c.at, toText(c.amount), c.ref] : [c.at, toText(c.amount), c.ref, c.eventId])))

export const decodeContributions = (text: string): ReadonlyArray<Contribution> =>
  (JSON.parse(text) as Array<StoredContribution>).map(([at, amount, ref, eventId]) =>
    eventId === undefined ? { at, amount: fromText(amount), ref } : { at, amount: fromText(amount), ref, eventId })

const columns = (keys: ReadonlyArray<ProgressKey>) => ({
  tenants: keys.map((k) => k.tenant),
  users: keys.map((k) => k.userId),
  fulfillments: keys.map((k) => k.fulfillmentId)
})

/**
 * The stored progress of the given keys, in one statement. `lock` takes the rows for the
 * batch's transaction, so that a batch racing another one for the same user (a partition
 * changing hands), or a refund batch of the same user, waits instead of overwriting it; in key
 * order, as the refunds lock them, so the two never deadlock.
 */
export const readProgress = (sql: Sql, keys: ReadonlyArray<ProgressKey>, lock: boolean) => {
  if (keys.length === 0) return Effect.succeed(new Map<string, StoredProgress>() as ReadonlyMap<string, StoredProgress>)
  const { tenants, users, fulfillments } = columns(keys)
  // Fixed text, never input.
  const locking = sql.unsafe(lock ? "for update of g" : "")
  const query = () => sql<Array<ProgressRow>>`
    select g.tenant, g.user_id, g.fulfillment_id::text as fulfillment_id, g.rule, g.latest_event_ms::text as latest, g.contributions::text as contributions
    from fulfillment.goal_progress g
    join unnest(${tenants}::text[], ${users}::text[], ${fulfillments}::uuid[]) as k(tenant, user_id, fulfillment_id)
      on g.tenant = k.tenant and g.user_id = k.user_id and g.fulfillment_id = k.fulfillment_id
    order by g.tenant, g.user_id, g.fulfillment_id
    ${locking}`
  return exec(query).pipe(Effect.map(progressByKey))
}

/** Stored progress rows keyed by their key's text. */
export const progressByKey = (rows: ReadonlyArray<ProgressRow>): ReadonlyMap<string, StoredProgress> =>
  new Map(rows.map((row): [string, StoredProgress] => {
    const key = { tenant: row.tenant, userId: row.user_id, fulfillmentId: row.fulfillment_id }
    return [keyText(key), { key, signature: row.rule, state: { latestAt: Number(row.latest), unused: decodeContributions(row.contributions) } }]
  }))

/** Stores the progress a batch changed, in one statement (keys sorted, so concurrent batches lock in one order). */
export const writeProgress = (tx: Sql, changed: Iterable<StoredProgress>) => {
  const rows = [...changed].sort((a, b) => (keyText(a.key) < keyText(b.key) ? -1 : 1))
  if (rows.length === 0) return Effect.void
  const { tenants, users, fulfillments } = columns(rows.map((row) => row.key))
  return exec(() => tx`
    insert into fulfillment.goal_progress as g (tenant, user_id, fulfillment_id, rule, latest_event_ms, contributions)
    select k.tenant, k.user_id, k.fulfillment_id, k.rule, k.latest, k.contributions::jsonb
    from unnest(${tenants}::text[], ${users}::text[], ${fulfillments}::uuid[], ${rows.map((r) => r.signature)}::text[],
                ${rows.map((r) => String(r.state.latestAt ?? 0))}::bigint[], ${rows.map((r) => encodeContributions(r.state.unused))}::text[])
      as k(tenant, user_id, fulfillment_id, rule, latest, contributions)
    on conflict (tenant, user_id, fulfillment_id) do update
      set rule = excluded.rule, latest_event_ms = excluded.latest_event_ms, contributions = excluded.contributions, updated_at = now()`).pipe(Effect.asVoid)
}
