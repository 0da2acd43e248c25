import { exec, type Sql } from "../../db/database.ts"
import type { RewardEvent } from "../../events/reward.ts"

export interface Credit {
  /** Index of the event in the input. */
  readonly index: number
  readonly points: string
  /** The user's balance right after this credit. */
  readonly balance: string
}

/**
 * Credits a batch of reward events in one statement: a ledger entry per event whose reward the
 * tenant has (in input order), every touched balance raised by its sum (rows locked in key
 * order), and for each credit the balance right after it. Events naming a reward the tenant does
 * not have are absent from the result.
 */
export const creditRewards = (tx: Sql, events: ReadonlyArray<RewardEvent>) =>
  exec(() => tx<Array<Credit>>`
    with input as (
      select * from unnest(
        ${events.map((_, i) => i)}::int[], ${events.map((e) => e.tenant)}::text[], ${events.map((e) => e.userId)}::text[],
        ${events.map((e) => e.rewardId)}::uuid[], ${events.map((e) => e.campaignId)}::uuid[], ${events.map((e) => e.eventId)}::text[]
      ) as t(index, tenant, user_id, reward_id, campaign_id, event_id)
    ),
    credits as (
      insert into reward.ledger (tenant, user_id, amount, kind, reward_id, campaign_id, event_id)
      select i.tenant, i.user_id, r.points, 'credit', i.reward_id, i.campaign_id, i.event_id
      from input i join reward.rewards r on r.id = i.reward_id and r.tenant = i.tenant
      order by i.index
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
    order by i.index`)
