-- Calendar periods (a day, a week, a month of a limit or a goal) are the tenant's: its IANA time
-- zone travels with the tenant on topic `tenant` to every service's copy.
alter table users.tenants add column time_zone text not null default 'UTC';
alter table fulfillment.tenants add column time_zone text not null default 'UTC';
alter table campaign.tenants add column time_zone text not null default 'UTC';
alter table reward.tenants add column time_zone text not null default 'UTC';

-- A tenant's rules are judged in its zone, so a new zone makes every process reload the tenant's
-- rules with the next batch, through the per-tenant versions that already keep them fresh.
create function fulfillment.tenant_rules_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.time_zone = new.time_zone then return null; end if;
  insert into fulfillment.rules_versions (tenant, version) values (new.id, 1)
  on conflict (tenant) do update set version = fulfillment.rules_versions.version + 1;
  return null;
end
$$;
create trigger tenant_zone_changed after insert or update on fulfillment.tenants
for each row execute function fulfillment.tenant_rules_changed();

create function campaign.tenant_rules_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.time_zone = new.time_zone then return null; end if;
  insert into campaign.rules_versions as v (tenant, version) values (new.id, 1)
  on conflict (tenant) do update set version = v.version + 1;
  return null;
end
$$;
create trigger tenant_zone_changed after insert or update on campaign.tenants
for each row execute function campaign.tenant_rules_changed();
