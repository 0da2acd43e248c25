-- Each processed event keeps the events it emitted: after its transaction commits they are
-- published, and if that did not happen (a crash, a broker outage) the input is not yet
-- committed in Kafka, so it comes back, is recognised as processed, and its stored events are
-- published again. One row per input event replaces an outbox row per output plus its delete.
alter table fulfillment.processed_events add column emitted text;
alter table campaign.processed_events add column emitted text;
alter table reward.processed_events add column emitted text;

drop table fulfillment.outbox;
drop table campaign.outbox;
drop table reward.outbox;

-- The order events were processed in (for operators reading what a service emitted, and tests).
alter table fulfillment.processed_events add column seq bigint generated always as identity;
alter table campaign.processed_events add column seq bigint generated always as identity;
alter table reward.processed_events add column seq bigint generated always as identity;
