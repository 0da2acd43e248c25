import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import type { RewardDefinitionEvent } from "../../../events/reward-definition.ts"

/**
 * Applies reward definitions in one statement, the newest version of each reward winning; an
 * older version than the stored one changes nothing (an event left in an outbox may be published
 * after a newer one). A deleted reward stays, marked deleted. Each change bumps the tenant's rules
 * version (trigger), so every process reloads the points its campaigns count.
 */
export const upsertRewardDefinitions = (tx: Sql, events: ReadonlyArray<RewardDefinitionEvent>) => {
  const newest = new Map<string, RewardDefinitionEvent>()
  for (const event of events) {
    const key = JSON.stringify([event.tenant, event.rewardId.toLowerCase()])
    const seen = newest.get(key)
    if (!seen || event.version > seen.version) newest.set(key, event)
  }
  const rows = [...newest.values()].sort((a, b) =>
    a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.rewardId.toLowerCase() < b.rewardId.toLowerCase() ? -1 : 1)
  if (rows.length === 0) return Effect.void
  const text = (pick: (e: RewardDefinitionEvent) => string | null | undefined) => rows.map((e) => pick(e) ?? null)
  return exec(() => tx`
    insert into campaign.reward_definitions as d (tenant, reward_id, version, deleted, kind, points, points_per_unit, unit, rounding, max_points)
    select k.tenant, k.reward_id, k.version, k.deleted::boolean, k.kind, k.points::numeric, k.points_per_unit::numeric, k.unit::numeric, k.rounding, k.max_points::numeric
    -- Booleans travel as text: postgres.js does not encode boolean arrays.
    from unnest(${rows.map((e) => e.tenant)}::text[], ${rows.map((e) => e.rewardId)}::uuid[], ${rows.map((e) => e.version)}::bigint[],
                ${rows.map((e) => String(e.deleted))}::text[], ${rows.map((e) => e.kind)}::text[], ${text((e) => e.points)}::text[],
                ${text((e) => e.pointsPerUnit)}::text[], ${text((e) => e.unit)}::text[], ${text((e) => e.rounding)}::text[],
                ${text((e) => e.maxPoints)}::text[])
      as k(tenant, reward_id, version, deleted, kind, points, points_per_unit, unit, rounding, max_points)
    on conflict (tenant, reward_id) do update
      set version = excluded.version, deleted = excluded.deleted, kind = excluded.kind, points = excluded.points,
          points_per_unit = excluded.points_per_unit, unit = excluded.unit, rounding = excluded.rounding,
          max_points = excluded.max_points, updated_at = now()
      where d.version < excluded.version`).pipe(Effect.asVoid)
}
