import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import * as D from "../../domain/decimal.ts"
import { decodeMembers, encodeMembers } from "./members.ts"
import { keyText, noProgress, type Progress, type ProgressKey } from "./progress.ts"

type ProgressRow = {
  tenant: string
  user_id: string
  campaign_id: string
  completed: Array<string>
  completions: number
  basis: string | null
  order_ids: Array<string>
  last_event_at: number | null
  members: string
}

const columns = (keys: ReadonlyArray<ProgressKey>) => ({
  tenants: keys.map((k) => k.tenant),
  users: keys.map((k) => k.userId),
  campaigns: keys.map((k) => k.campaignId)
})

const progressOf = (row: ProgressRow): Progress => ({
  completed: row.completed,
  completions: row.completions,
  ...(row.basis !== null && { basis: D.fromText(row.basis) }),
  ...(row.order_ids.length > 0 && { orderIds: row.order_ids }),
  ...(row.last_event_at !== null && { lastEventAt: row.last_event_at }),
  ...(row.members !== "[]" && { members: decodeMembers(row.members) })
})

/**
 * The stored progress of `keys` (sorted by the caller), locked for the rest of the batch's
 * transaction in that order, keyed by `keyText`. Keys without a row are absent.
 */
export const lockProgress = (tx: Sql, keys: ReadonlyArray<ProgressKey>) => {
  if (keys.length === 0) return Effect.succeed(new Map<string, Progress>())
  const { campaigns, tenants, users } = columns(keys)
  return exec(() => tx<Array<ProgressRow>>`
    select p.tenant, p.user_id, p.campaign_id::text as campaign_id, p.completed::text[] as completed, p.completions,
           p.basis::text as basis, p.order_ids, (extract(epoch from p.last_event_at) * 1000)::float8 as last_event_at,
           p.members::text as members
    from campaign.progress p
    join unnest(${tenants}::text[], ${users}::text[], ${campaigns}::uuid[]) as k(tenant, user_id, campaign_id)
      on (p.tenant, p.user_id, p.campaign_id) = (k.tenant, k.user_id, k.campaign_id)
    order by p.tenant, p.user_id, p.campaign_id
    for update of p`).pipe(
    Effect.map((rows) =>
      new Map(rows.map((row) => [keyText({ tenant: row.tenant, userId: row.user_id, campaignId: row.campaign_id }), progressOf(row)]))
    )
  )
}

/**
 * Writes the changed progress in one statement. Only campaigns that still exist are written: the
 * key-share lock makes a concurrent delete either wait for this transaction or be seen as done.
 */
export const saveProgress = (tx: Sql, changed: ReadonlyArray<{ readonly key: ProgressKey; readonly progress: Progress }>) => {
  if (changed.length === 0) return Effect.void
  const { campaigns, tenants, users } = columns(changed.map((c) => c.key))
  // Each set travels as one array literal (unnest would flatten an array of arrays); the order ids,
  // which are any text, as JSON.
  const sets = changed.map((c) => `{${c.progress.completed.join(",")}}`)
  const bases = changed.map((c) => (c.progress.basis === undefined ? null : D.toText(c.progress.basis)))
  const orders = changed.map((c) => JSON.stringify(c.progress.orderIds ?? []))
  const lastAt = changed.map((c) => (c.progress.lastEventAt === undefined ? null : new Date(c.progress.lastEventAt).toISOString()))
  const members = changed.map((c) => encodeMembers(c.progress.members ?? []))
  return exec(() => tx`
    insert into campaign.progress as p (tenant, user_id, campaign_id, completed, completions, basis, order_ids, last_event_at, members)
    select k.tenant, k.user_id, k.campaign_id, k.completed::uuid[], k.completions, k.basis::numeric, k.order_ids::jsonb, k.last_event_at::timestamptz, k.members::jsonb
    from unnest(${tenants}::text[], ${users}::text[], ${campaigns}::uuid[], ${sets}::text[], ${changed.map((c) => c.progress.completions)}::int[],
                ${bases}::text[], ${orders}::text[], ${lastAt}::text[], ${members}::text[])
      as k(tenant, user_id, campaign_id, completed, completions, basis, order_ids, last_event_at, members)
    join campaign.campaigns c on c.id = k.campaign_id
    order by k.tenant, k.user_id, k.campaign_id
    for key share of c
    on conflict (tenant, user_id, campaign_id) do update
      set completed = excluded.completed, completions = excluded.completions, basis = excluded.basis,
          order_ids = excluded.order_ids, last_event_at = excluded.last_event_at, members = excluded.members, updated_at = now()`).pipe(Effect.asVoid)
}

/** One user's progress in each of `campaignIds` of `tenant`, keyed by `keyText` (none yet: absent). */
export const findProgressIn = (sql: Sql, tenant: string, userId: string, campaignIds: ReadonlyArray<string>) =>
  exec(() => sql<Array<ProgressRow>>`
    select tenant, user_id, campaign_id::text as campaign_id, completed::text[] as completed, completions,
           basis::text as basis, order_ids, (extract(epoch from last_event_at) * 1000)::float8 as last_event_at,
           members::text as members
    from campaign.progress
    where tenant = ${tenant} and user_id = ${userId} and campaign_id = any(${campaignIds as Array<string>}::uuid[])`).pipe(
    Effect.map((rows) =>
      new Map(rows.map((row) => [keyText({ tenant: row.tenant, userId: row.user_id, campaignId: row.campaign_id }), progressOf(row)]))
    )
  )

/** One user's progress in one campaign (none yet: no progress). */
export const findProgress = (sql: Sql, tenant: string, userId: string, campaignId: string) =>
  findProgressIn(sql, tenant, userId, [campaignId]).pipe(
    Effect.map((found) => found.get(keyText({ tenant, userId, campaignId })) ?? noProgress)
  )
