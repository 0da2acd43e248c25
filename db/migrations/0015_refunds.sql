-- Refunds reversed causally: the fulfillment service keeps what each order bought and what it
-- completed, so a refund can re-judge it; the campaign service keeps which fulfillment events
-- each round counted, so a revoked one can be taken out of its round or the round's rewards back.

-- One row per (tenant, order): the order's purchases (`lines`, each
-- {eventId, product, amount, judged, refunded, at}: `judged` is the amount the rules saw, after any
-- refund that arrived first), and how many refunds wait for its first purchase. Buy and refund
-- batches both take the row (insert or lock) before anything else, so a refund and its purchase
-- handled at the same time in two transactions never miss each other. `user_id` is null until a
-- purchase arrives.
create table fulfillment.orders (
  tenant text not null,
  order_id text not null,
  user_id text,
  lines jsonb not null default '[]',
  held_refunds integer not null default 0 check (held_refunds >= 0),
  updated_at timestamptz not null default now(),
  primary key (tenant, order_id)
);

-- Every completion of a buy fulfillment (the `fulfillment` event it emitted): the rule as judged
-- (`rule`: {amount, count, total, signature}), the purchases it used with their amounts now
-- (`parts`: [{eventId, ref, amount}], shrunk by refunds), and whether a refund revoked it.
create table fulfillment.completions (
  tenant text not null,
  fulfillment_event_id text not null,
  user_id text not null,
  fulfillment_id uuid not null,
  rule jsonb not null,
  parts jsonb not null,
  revoked boolean not null default false,
  primary key (tenant, fulfillment_event_id)
);

-- Which completions each order took part in: what a refund of the order re-judges.
create table fulfillment.completion_orders (
  tenant text not null,
  order_id text not null,
  fulfillment_event_id text not null,
  primary key (tenant, order_id, fulfillment_event_id)
);

-- Refunds of orders no purchase has arrived for yet (the topics are read independently, so a
-- refund can come first): kept, never dropped, and applied when the order's first purchase comes.
-- The message's place in the log is kept for the dead letter, should it refund more than was bought.
create table fulfillment.held_refunds (
  tenant text not null,
  order_id text not null,
  event_id text not null,
  user_id text not null,
  amount numeric(20, 4),
  event_time timestamptz not null,
  partition integer not null,
  "offset" text not null,
  event jsonb not null,
  held_at timestamptz not null default now(),
  primary key (tenant, order_id, event_id)
);
create index held_refunds_by_age on fulfillment.held_refunds (held_at);

-- The members of each user's open round: [{eventId, fulfillmentId, basis, counted, orderIds}]
-- (`counted`: whether its basis was added to the round's; one purchase meeting two fulfillments
-- is counted once).
alter table campaign.progress add column members jsonb not null default '[]';

-- Every round that completed and granted rewards: its members as above, the points each reward
-- was counted (`rewards`: [{rewardId, points}], points null when the rule was unknown) and what
-- still stands of them after reversals (`standing`), and whether a refund took the whole round back.
create table campaign.completed_rounds (
  tenant text not null,
  campaign_id uuid not null,
  round_event_id text not null,
  user_id text not null,
  basis numeric,
  members jsonb not null,
  rewards jsonb not null,
  standing jsonb not null,
  period text,
  revoked boolean not null default false,
  primary key (tenant, campaign_id, round_event_id)
);

-- Which completed round each fulfillment event was counted in.
create table campaign.round_members (
  tenant text not null,
  fulfillment_event_id text not null,
  campaign_id uuid not null,
  round_event_id text not null,
  primary key (tenant, fulfillment_event_id, campaign_id)
);

-- `fulfillment-revoked` events whose `fulfillment` event has not been handled yet: applied with it.
create table campaign.held_revocations (
  tenant text not null,
  fulfillment_event_id text not null,
  event_id text not null,
  user_id text not null,
  event jsonb not null,
  held_at timestamptz not null default now(),
  primary key (tenant, fulfillment_event_id, event_id)
);
create index held_revocations_by_age on campaign.held_revocations (held_at);
