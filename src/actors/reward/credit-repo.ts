import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows } from "../../db/rows.ts"
import type { EarnRule } from "../../domain/earning.ts"
import { RuleRow, ruleOfRow } from "./reward-row.ts"

const decodeRules = decodeRows(RuleRow)

export const ruleKey = (tenant: string, rewardId: string) => `${tenant}\u0000${rewardId.toLowerCase()}`

/** The rules of the rewards a batch names, in one query, by `ruleKey`; a reward the tenant does not have is absent. */
export const rulesOf = (tx: Sql, wanted: ReadonlyArray<{ readonly tenant: string; readonly rewardId: string }>) =>
  exec(() => tx`
    select r.tenant, r.id::text as reward_id, r.kind, r.points::text as points, r.points_per_unit::text as points_per_unit,
           r.unit::text as unit, r.rounding, r.max_points::text as max_points
    from reward.rewards r
    join (select distinct * from unnest(${wanted.map((w) => w.tenant)}::text[], ${wanted.map((w) => w.rewardId)}::uuid[])) as k(tenant, id)
      on r.tenant = k.tenant and r.id = k.id`).pipe(
    Effect.flatMap(decodeRules),
    Effect.map((rows) => new Map<string, EarnRule>(rows.map((row) => [ruleKey(row.tenant, row.reward_id), ruleOfRow(row)])))
  )

