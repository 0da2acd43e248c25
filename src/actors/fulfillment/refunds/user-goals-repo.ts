import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { decodeContributions } from "../goals/progress-repo.ts"
import { keyText, type StoredProgress } from "../goals/settle.ts"

/**
 * All the stored goal progress of `users`, locked until the transaction ends, in key order: a
 * refund may shrink or remove a purchase from any of the user's open goals, and hand back the
 * purchases of a goal it revoked.
 */
export const lockUserGoals = (tx: Sql, users: ReadonlyArray<{ readonly tenant: string; readonly userId: string }>) => {
  if (users.length === 0) return Effect.succeed(new Map<string, StoredProgress>() as ReadonlyMap<string, StoredProgress>)
  return exec(() => tx<Array<{ tenant: string; user_id: string; fulfillment_id: string; rule: string; latest: string; contributions: string }>>`
    select g.tenant, g.user_id, g.fulfillment_id::text as fulfillment_id, g.rule, g.latest_event_ms::text as latest, g.contributions::text as contributions
    from fulfillment.goal_progress g
    join unnest(${users.map((u) => u.tenant)}::text[], ${users.map((u) => u.userId)}::text[]) as k(tenant, user_id)
      on g.tenant = k.tenant and g.user_id = k.user_id
    order by g.tenant, g.user_id, g.fulfillment_id
    for update of g`).pipe(
    Effect.map((rows) =>
      new Map(rows.map((row): [string, StoredProgress] => {
        const key = { tenant: row.tenant, userId: row.user_id, fulfillmentId: row.fulfillment_id }
        return [keyText(key), { key, signature: row.rule, state: { latestAt: Number(row.latest), unused: decodeContributions(row.contributions) } }]
      })) as ReadonlyMap<string, StoredProgress>
    )
  )
}
