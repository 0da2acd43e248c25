-- Cumulative goals: a fulfillment may need `goal_count` qualifying events, whose amounts add up
-- to `goal_total` (buy only), inside a rolling `goal_within` (ISO-8601 duration of weeks to
-- seconds) or a calendar `goal_period` of the tenant's time zone. All null: today's behaviour,
-- where each qualifying event completes the fulfillment once. Any change of these columns is an
-- update of the row, so the trigger of 0004 bumps the tenant's rules version as for any rule.
alter table fulfillment.fulfillments
  add column goal_count integer,
  add column goal_total numeric(20, 4),
  add column goal_within text,
  add column goal_period text,
  add constraint goal_count_positive check (goal_count is null or goal_count between 1 and 1000),
  add constraint goal_total_positive check (goal_total is null or goal_total > 0),
  add constraint goal_within_duration check (goal_within is null or goal_within ~ '^P([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$'),
  add constraint goal_period_calendar check (goal_period is null or goal_period in ('day', 'week', 'month')),
  add constraint goal_one_window check (goal_within is null or goal_period is null),
  add constraint goal_total_buy_only check (kind = 'buy' or goal_total is null);

-- Per user and cumulative fulfillment: the qualifying events not yet used by a completion
-- (`contributions`, a JSON array of [event time ms, amount as decimal text, order or event id]
-- in event-time order, at most 1000), the latest event time counted (events that can no longer
-- share a window with it are dropped), and the rule they were counted for (`rule`: a changed
-- fulfillment starts everyone over). Written once per batch, in the batch's transaction.
-- No foreign key to the fulfillment: a batch racing a delete must not fail on it; deleting a
-- fulfillment deletes its rows.
create table fulfillment.goal_progress (
  tenant text not null,
  user_id text not null,
  fulfillment_id uuid not null,
  rule text not null,
  latest_event_ms bigint not null,
  contributions jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (tenant, user_id, fulfillment_id)
);
