import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { keyText, type Progress, type ProgressKey } from "./progress.ts"

type ProgressRow = { tenant: string; user_id: string; campaign_id: string; completed: Array<string>; completions: number }

const columns = (keys: ReadonlyArray<ProgressKey>) => ({
  tenants: keys.map((k) => k.tenant),
  users: keys.map((k) => k.userId),
  campaigns: keys.map((k) => k.campaignId)
})

/**
 * The stored progress of `keys` (sorted by the caller), locked for the rest of the batch's
 * transaction in that order, keyed by `keyText`. Keys without a row are absent.
 */
export const lockProgress = (tx: Sql, keys: ReadonlyArray<ProgressKey>) => {
  if (keys.length === 0) return Effect.succeed(new Map<string, Progress>())
  const { campaigns, tenants, users } = columns(keys)
  return exec(() => tx<Array<ProgressRow>>`
    select p.tenant, p.user_id, p.campaign_id::text as campaign_id, p.completed::text[] as completed, p.completions
    from campaign.progress p
    join unnest(${tenants}::text[], ${users}::text[], ${campaigns}::uuid[]) as k(tenant, user_id, campaign_id)
      on (p.tenant, p.user_id, p.campaign_id) = (k.tenant, k.user_id, k.campaign_id)
    order by p.tenant, p.user_id, p.campaign_id
    for update of p`).pipe(
    Effect.map((rows) =>
      new Map(rows.map((row) => [
        keyText({ tenant: row.tenant, userId: row.user_id, campaignId: row.campaign_id }),
        { completed: row.completed, completions: row.completions } satisfies Progress
      ]))
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
  // Each set travels as one array literal: unnest would flatten an array of arrays.
  const sets = changed.map((c) => `{${c.progress.completed.join(",")}}`)
  return exec(() => tx`
    insert into campaign.progress as p (tenant, user_id, campaign_id, completed, completions)
    select k.tenant, k.user_id, k.campaign_id, k.completed::uuid[], k.completions
    from unnest(${tenants}::text[], ${users}::text[], ${campaigns}::uuid[], ${sets}::text[], ${changed.map((c) => c.progress.completions)}::int[])
      as k(tenant, user_id, campaign_id, completed, completions)
    join campaign.campaigns c on c.id = k.campaign_id
    order by k.tenant, k.user_id, k.campaign_id
    for key share of c
    on conflict (tenant, user_id, campaign_id) do update
      set completed = excluded.completed, completions = excluded.completions, updated_at = now()`).pipe(Effect.asVoid)
}

/** One user's progress in one campaign (none yet: no progress). */
export const findProgress = (sql: Sql, tenant: string, userId: string, campaignId: string) =>
  exec(() => sql<Array<{ completed: Array<string>; completions: number }>>`
    select completed::text[] as completed, completions from campaign.progress
    where tenant = ${tenant} and user_id = ${userId} and campaign_id = ${campaignId}`).pipe(
    Effect.map((rows): Progress => rows[0] ?? { completed: [], completions: 0 })
  )
