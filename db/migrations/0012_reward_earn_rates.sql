-- Rewards earn a fixed number of points per completion (`fixed`, every reward so far) or points
-- per amount spent (`per_amount`: `points_per_unit` for every `unit` of the round's basis, rounded
-- `down`, to the `nearest` unit or `exact` to 4 places, at most `max_points`). A row holds the
-- fields of its kind and nothing else.
alter table reward.rewards
  alter column points drop not null,
  add column kind text not null default 'fixed' check (kind in ('fixed', 'per_amount')),
  add column points_per_unit numeric(20, 4) check (points_per_unit > 0),
  add column unit numeric(20, 4) check (unit > 0),
  add column rounding text check (rounding in ('down', 'nearest', 'exact')),
  add column max_points numeric(20, 4) check (max_points > 0),
  add constraint rewards_rule_of_its_kind check (
    (kind = 'fixed' and points is not null and points_per_unit is null and unit is null and rounding is null and max_points is null)
    or (kind = 'per_amount' and points is null and points_per_unit is not null and unit is not null and rounding is not null)
  );

-- Every change of a reward is published on the compacted topic `reward-definition` with a version
-- that grows. The versions come from one sequence rather than counting per row: a reward deleted
-- and created again under the same id must still get a higher version than its deletion had, or
-- a mirror that keeps the newest version would keep the deletion.
create sequence reward.reward_versions;
alter table reward.rewards add column version bigint;
update reward.rewards r set version = v.version
from (select id, nextval('reward.reward_versions') as version from (select id from reward.rewards order by created_at, id) o) v
where v.id = r.id;
alter table reward.rewards
  alter column version set not null,
  alter column version set default nextval('reward.reward_versions');

-- What a credit was counted on, for refunds to reverse it: the event time of its cause, the
-- round's spend and the orders behind it (null for entries from before, and for redemptions).
alter table reward.ledger
  add column occurred_at timestamptz,
  add column basis numeric(20, 4),
  add column order_ids text[];

-- The rewards that exist are queued once on `reward-definition`, so the topic starts complete.
insert into reward.outbox (messages)
select json_agg(json_build_object(
  'topic', 'reward-definition',
  'key', id::text,
  'value', json_build_object('tenant', tenant, 'rewardId', id::text, 'version', version, 'deleted', false, 'kind', 'fixed',
                             'points', trim_scale(points)::text, 'eventId', 'reward-definition:' || id::text || ':v' || version)::text
) order by version)::text
from reward.rewards having count(*) > 0;
