-- Exactly-once plumbing for every service that consumes or produces events:
-- processed_events turns a redelivered event into a no-op (its id is already there);
-- outbox holds the events a transaction emits until the relay has published them.
create table fulfillment.processed_events (
  topic text not null,
  event_id text not null,
  processed_at timestamptz not null default now(),
  primary key (topic, event_id)
);
create table fulfillment.outbox (
  id bigint generated always as identity primary key,
  topic text not null,
  key text,
  value text not null,
  created_at timestamptz not null default now()
);

create table campaign.processed_events (like fulfillment.processed_events including all);
create table campaign.outbox (like fulfillment.outbox including all);

create table reward.processed_events (like fulfillment.processed_events including all);
create table reward.outbox (like fulfillment.outbox including all);
