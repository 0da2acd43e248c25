-- Campaigns: a set of fulfillments plus a set of rewards. The ids are other services' rows, so
-- they are kept as plain values (no foreign keys across schemas: services never read each other's tables).
create table campaign.campaigns (
  id uuid primary key,
  tenant text not null,
  name text not null,
  fulfillments uuid[] not null check (cardinality(fulfillments) > 0),
  rewards uuid[] not null check (cardinality(rewards) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index campaigns_by_tenant on campaign.campaigns (tenant, created_at, id);

-- Each user's completed fulfillments in a campaign; emptied when the campaign completes (campaigns repeat).
create table campaign.progress (
  tenant text not null,
  user_id text not null,
  campaign_id uuid not null references campaign.campaigns (id) on delete cascade,
  completed uuid[] not null default '{}',
  completions integer not null default 0 check (completions >= 0),
  updated_at timestamptz not null default now(),
  primary key (tenant, user_id, campaign_id)
);
create index progress_by_campaign on campaign.progress (campaign_id);

-- One number per tenant that changes whenever any of its campaigns does, so the actor's in-memory
-- index (fulfillment → campaigns) can tell, in one cheap read per batch, which tenants to reload,
-- even when the change was made by another process.
create table campaign.rules_versions (
  tenant text primary key,
  version bigint not null
);

create function campaign.bump_rules_version() returns trigger language plpgsql as $$
begin
  insert into campaign.rules_versions as v (tenant, version)
  select distinct t, 1 from unnest(array[
    case when tg_op <> 'INSERT' then old.tenant end,
    case when tg_op <> 'DELETE' then new.tenant end
  ]) as t where t is not null
  on conflict (tenant) do update set version = v.version + 1;
  return null;
end
$$;

create trigger campaigns_added_or_removed
after insert or delete on campaign.campaigns
for each row execute function campaign.bump_rules_version();

-- A new name changes nothing the actor uses, so it does not make every consumer reload the tenant.
create trigger campaigns_rules_changed
after update on campaign.campaigns
for each row when ((old.tenant, old.fulfillments, old.rewards) is distinct from (new.tenant, new.fulfillments, new.rewards))
execute function campaign.bump_rules_version();
