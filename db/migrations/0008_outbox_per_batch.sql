-- The outbox holds, per committed batch, the events the batch emitted, as one JSON array: one row
-- written in the batch's transaction and deleted once its events are published (instead of a row
-- per event written and deleted one by one). A relay publishes rows a crash or an outage left.
drop table fulfillment.outbox;
drop table campaign.outbox;
drop table reward.outbox;

create table fulfillment.outbox (
  id bigint generated always as identity primary key,
  created_at timestamptz not null default now(),
  messages text not null
);
create table campaign.outbox (like fulfillment.outbox including all);
create table reward.outbox (like fulfillment.outbox including all);
