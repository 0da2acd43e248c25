-- Event ids are unique per tenant: one tenant's ids can never swallow another tenant's events.
-- The ids recorded so far carry no tenant; they move to processed_events_legacy, where they still
-- count as processed for every tenant until they age out (a redelivery of an event handled before
-- this migration is still a no-op). Ids Loyaltea derived from an offset ("topic/partition/offset")
-- now live under the reserved prefix "loyaltea:", so the old ones are recorded in that form too.
alter table fulfillment.processed_events rename to processed_events_legacy;
alter table campaign.processed_events rename to processed_events_legacy;
alter table reward.processed_events rename to processed_events_legacy;

insert into fulfillment.processed_events_legacy (topic, event_id, processed_at)
select topic, 'loyaltea:' || event_id, processed_at from fulfillment.processed_events_legacy
where event_id ~ '^[^/]+/[0-9]+/[0-9]+$' on conflict do nothing;
insert into campaign.processed_events_legacy (topic, event_id, processed_at)
select topic, 'loyaltea:' || event_id, processed_at from campaign.processed_events_legacy
where event_id ~ '^[^/]+/[0-9]+/[0-9]+$' on conflict do nothing;
insert into reward.processed_events_legacy (topic, event_id, processed_at)
select topic, 'loyaltea:' || event_id, processed_at from reward.processed_events_legacy
where event_id ~ '^[^/]+/[0-9]+/[0-9]+$' on conflict do nothing;

-- A message that does not decode has tenant '' (it belongs to no tenant; its id is its offset's).
create table fulfillment.processed_events (
  tenant text not null,
  topic text not null,
  event_id text not null,
  processed_at timestamptz not null default now(),
  primary key (tenant, topic, event_id)
);
-- Rows arrive in time order, so a BRIN index finds the old ones to prune for almost no upkeep.
create index processed_events_by_age on fulfillment.processed_events using brin (processed_at);
create table campaign.processed_events (like fulfillment.processed_events including all);
create table reward.processed_events (like fulfillment.processed_events including all);

-- Each consuming service's own copy of the tenants, kept from the `tenant` topic the user service
-- publishes (services never read each other's tables). `version` only grows.
alter table users.tenants
  add column allow_events_without_id boolean not null default false,
  add column version bigint not null default 1,
  add column updated_at timestamptz not null default now();

create table fulfillment.tenants (
  id text primary key,
  name text not null,
  allow_events_without_id boolean not null,
  version bigint not null,
  updated_at timestamptz not null default now()
);
create table campaign.tenants (like fulfillment.tenants including all);
create table reward.tenants (like fulfillment.tenants including all);

-- The tenants that exist already are copied once here, and published once through the user
-- service's new outbox, so the copies and the topic start complete.
insert into fulfillment.tenants (id, name, allow_events_without_id, version) select id, name, allow_events_without_id, version from users.tenants;
insert into campaign.tenants (id, name, allow_events_without_id, version) select id, name, allow_events_without_id, version from users.tenants;
insert into reward.tenants (id, name, allow_events_without_id, version) select id, name, allow_events_without_id, version from users.tenants;

-- The outbox rows a relay is publishing are leased, not locked: no transaction stays open while
-- the relay talks to Kafka.
alter table fulfillment.outbox add column leased_until timestamptz;
alter table campaign.outbox add column leased_until timestamptz;
alter table reward.outbox add column leased_until timestamptz;
create table users.outbox (like fulfillment.outbox including all);

insert into users.outbox (messages)
select json_agg(json_build_object(
  'topic', 'tenant',
  'key', id,
  'value', json_build_object('tenant', id, 'name', name, 'allowEventsWithoutId', allow_events_without_id, 'version', version,
                             'eventId', 'tenant:' || id || ':v' || version)::text
) order by id)::text
from users.tenants having count(*) > 0;

-- Members belong to a tenant that exists (rows from before are left as they are).
alter table users.members add constraint members_tenant_fkey foreign key (tenant) references users.tenants (id) not valid;
