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

/** One credit to write: the points already counted (exact decimal text) and what they were counted on. */
export interface CreditInput {
  /** Returned with the credit, to match it to its event. */
  readonly index: number
  readonly tenant: string
  readonly userId: string
  readonly rewardId: string
  readonly campaignId: string
  readonly eventId: string
  readonly points: string
  /** The event time of the credit's cause (ISO-8601). */
  readonly occurredAt: string
  readonly basis: string | null
  readonly orderIds: ReadonlyArray<string> | null
}

export interface Credit {
  readonly index: number
  readonly points: string
  /** The user's balance right after this credit. */
  readonly balance: string
}

/**
 * Writes a batch's credits in one statement: a ledger entry per credit (in input order), every
 * touched balance raised by its sum (rows locked in key order), and for each credit the balance
 * right after it.
 */
export const creditRewards = (tx: Sql, credits: ReadonlyArray<CreditInput>) =>
  credits.length === 0 ? Effect.succeed([] as Array<Credit>) : exec(() => tx<Array<Credit>>`
    with input as (
      select * from unnest(
        ${credits.map((c) => c.index)}::int[], ${credits.map((c) => c.tenant)}::text[], ${credits.map((c) => c.userId)}::text[],
        ${credits.map((c) => c.rewardId)}::uuid[], ${credits.map((c) => c.campaignId)}::uuid[], ${credits.map((c) => c.eventId)}::text[],
        ${credits.map((c) => c.points)}::numeric[], ${credits.map((c) => c.occurredAt)}::timestamptz[],
        ${credits.map((c) => c.basis)}::numeric[], ${credits.map((c) => (c.orderIds === null ? null : JSON.stringify(c.orderIds)))}::text[]
      ) with ordinality as t(index, tenant, user_id, reward_id, campaign_id, event_id, points, occurred_at, basis, order_ids, position)
    ),
    credits as (
      insert into reward.ledger (tenant, user_id, amount, kind, reward_id, campaign_id, event_id, occurred_at, basis, order_ids)
      select i.tenant, i.user_id, i.points, 'credit', i.reward_id, i.campaign_id, i.event_id, i.occurred_at, i.basis,
             case when i.order_ids is null then null else array(select jsonb_array_elements_text(i.order_ids::jsonb)) end
      from input i
      order by i.position
      returning id, tenant, user_id, amount, event_id
    ),
    totals as (
      insert into reward.balances (tenant, user_id, points)
      select tenant, user_id, sum(amount) from credits group by tenant, user_id order by tenant, user_id
      on conflict (tenant, user_id) do update set points = reward.balances.points + excluded.points, updated_at = now()
      returning tenant, user_id, points
    )
    select i.index, c.amount::text as points,
           (t.points - coalesce(sum(c.amount) over (
              partition by c.tenant, c.user_id order by c.id desc rows between unbounded preceding and 1 preceding), 0))::text as balance
    from credits c
    join totals t on t.tenant = c.tenant and t.user_id = c.user_id
    join input i on i.tenant = c.tenant and i.event_id = c.event_id
    order by i.position`)
