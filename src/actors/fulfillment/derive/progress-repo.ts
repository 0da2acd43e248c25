import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { encodeContributions, progressByKey, type ProgressRow } from "../goals/progress-repo.ts"
import type { ProgressKey, StoredProgress } from "../goals/settle.ts"

/** A derivation's own goal progress of the given keys (the job's row lock serializes its batches). */
export const readDerivedProgress = (sql: Sql, jobId: string, keys: ReadonlyArray<ProgressKey>) => {
  if (keys.length === 0) return Effect.succeed(new Map<string, StoredProgress>() as ReadonlyMap<string, StoredProgress>)
  return exec(() => sql<Array<ProgressRow>>`
    select g.tenant, g.user_id, g.fulfillment_id::text as fulfillment_id, g.rule, g.latest_event_ms::text as latest, g.contributions::text as contributions
    from fulfillment.derivation_progress g
    join unnest(${keys.map((k) => k.tenant)}::text[], ${keys.map((k) => k.userId)}::text[], ${keys.map((k) => k.fulfillmentId)}::uuid[]) as k(tenant, user_id, fulfillment_id)
      on g.tenant = k.tenant and g.user_id = k.user_id and g.fulfillment_id = k.fulfillment_id
    where g.job_id = ${jobId}::uuid`).pipe(Effect.map(progressByKey))
}

/** Stores the progress a derivation batch changed, in one statement. */
export const writeDerivedProgress = (tx: Sql, jobId: string, changed: Iterable<StoredProgress>) => {
  const rows = [...changed]
  if (rows.length === 0) return Effect.void
  return exec(() => tx`
    insert into fulfillment.derivation_progress as g (job_id, tenant, user_id, fulfillment_id, rule, latest_event_ms, contributions)
    select ${jobId}::uuid, k.tenant, k.user_id, k.fulfillment_id, k.rule, k.latest, k.contributions::jsonb
    from unnest(${rows.map((r) => r.key.tenant)}::text[], ${rows.map((r) => r.key.userId)}::text[], ${rows.map((r) => r.key.fulfillmentId)}::uuid[],
                ${rows.map((r) => r.signature)}::text[], ${rows.map((r) => String(r.state.latestAt ?? 0))}::bigint[],
                ${rows.map((r) => encodeContributions(r.state.unused))}::text[]) as k(tenant, user_id, fulfillment_id, rule, latest, contributions)
    on conflict (job_id, tenant, user_id, fulfillment_id) do update
      set rule = excluded.rule, latest_event_ms = excluded.latest_event_ms, contributions = excluded.contributions`).pipe(Effect.asVoid)
}
