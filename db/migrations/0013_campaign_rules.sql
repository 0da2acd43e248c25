-- Campaign lifecycle, windows and limits. Every column has the default of the campaigns from
-- before (active, no window, no limits), so they keep behaving as they did.
alter table campaign.campaigns
  add column status text not null default 'active',
  add column starts_at timestamptz,
  add column ends_at timestamptz,
  add column per_user integer,
  add column per_period_count integer,
  add column per_period text,
  add column budget_completions integer,
  add column budget_points numeric,
  add constraint campaigns_status check (status in ('draft', 'active', 'paused', 'ended')),
  add constraint campaigns_window check (ends_at > starts_at),
  -- A null limit is no limit (a check on null holds); a per-period limit needs both its parts.
  add constraint campaigns_limits check (per_user >= 1 and budget_completions >= 1 and budget_points > 0
                                         and per_period_count >= 1 and per_period in ('day', 'week', 'month')),
  add constraint campaigns_period_limit check ((per_period_count is null) = (per_period is null));

-- Status, window and limits are rules the actor applies, so a change to them (made by any
-- process) must make every process reload the tenant with its next batch, as a new fulfillment does.
drop trigger campaigns_rules_changed on campaign.campaigns;
create trigger campaigns_rules_changed
after update on campaign.campaigns
for each row when ((old.tenant, old.fulfillments, old.rewards, old.status, old.starts_at, old.ends_at, old.per_user,
                    old.per_period_count, old.per_period, old.budget_completions, old.budget_points)
  is distinct from (new.tenant, new.fulfillments, new.rewards, new.status, new.starts_at, new.ends_at, new.per_user,
                    new.per_period_count, new.per_period, new.budget_completions, new.budget_points))
execute function campaign.bump_rules_version();

-- The round a user is in: the spend of its fulfillments (null: none carried one), the purchases
-- behind it, and the latest event time among them.
alter table campaign.progress
  add column basis numeric,
  add column order_ids jsonb not null default '[]',
  add column last_event_at timestamptz;

-- Completions per user in one calendar period (`month:2026-03-01`), for `perUserPerPeriod`: one
-- row per period, so a late event is judged against the count of its own period.
create table campaign.period_completions (
  tenant text not null,
  user_id text not null,
  campaign_id uuid not null references campaign.campaigns (id) on delete cascade,
  period text not null,
  completions integer not null check (completions > 0),
  primary key (tenant, user_id, campaign_id, period)
);
create index period_completions_by_campaign on campaign.period_completions (campaign_id);

-- What a campaign with a budget has used, counted in the same transaction as the completions.
-- Batches of every process lock the row, so the budget is never exceeded, not even by a point.
create table campaign.budget_usage (
  campaign_id uuid primary key references campaign.campaigns (id) on delete cascade,
  tenant text not null,
  completions integer not null default 0 check (completions >= 0),
  points numeric not null default 0 check (points >= 0),
  updated_at timestamptz not null default now()
);

-- The reward service's earning rules, copied from topic `reward-definition` (services never read
-- each other's tables): what a round's points are, counted against `budgetPoints`. `version` only
-- grows; a deleted reward stays, marked deleted.
create table campaign.reward_definitions (
  tenant text not null,
  reward_id uuid not null,
  version bigint not null,
  deleted boolean not null,
  kind text not null,
  points numeric,
  points_per_unit numeric,
  unit numeric,
  rounding text,
  max_points numeric,
  updated_at timestamptz not null default now(),
  primary key (tenant, reward_id)
);

-- A round's points follow the rules of its rewards, so a new rule makes every process reload.
create function campaign.reward_rules_changed() returns trigger language plpgsql as $$
begin
  insert into campaign.rules_versions as v (tenant, version) values (new.tenant, 1)
  on conflict (tenant) do update set version = v.version + 1;
  return null;
end
$$;
create trigger reward_definition_changed after insert or update on campaign.reward_definitions
for each row execute function campaign.reward_rules_changed();
