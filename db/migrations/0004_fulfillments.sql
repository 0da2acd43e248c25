-- Buy and tag fulfillments in one table: the matcher loads a tenant's rules with one query.
-- A buy fulfillment's empty product matches any product; amounts are exact decimals.
create table fulfillment.fulfillments (
  id uuid primary key,
  tenant text not null,
  kind text not null check (kind in ('buy', 'tag')),
  name text not null,
  product text,
  amount numeric(20, 4),
  tag text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint buy_fulfillment_fields check (kind <> 'buy' or (product is not null and amount is not null and amount >= 0 and tag is null)),
  constraint tag_fulfillment_fields check (kind <> 'tag' or (tag is not null and product is null and amount is null))
);
create index fulfillments_by_tenant on fulfillment.fulfillments (tenant, kind, created_at);

-- One counter per tenant, raised in the same transaction as any change to its fulfillments, so
-- every process can tell with one cheap query whether its in-memory rules of a tenant are stale.
-- Rows are never deleted: a version only grows.
create table fulfillment.rules_versions (
  tenant text primary key,
  version bigint not null
);

create function fulfillment.bump_rules_version() returns trigger
language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    insert into fulfillment.rules_versions (tenant, version) values (old.tenant, 1)
    on conflict (tenant) do update set version = fulfillment.rules_versions.version + 1;
  end if;
  if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new.tenant is distinct from old.tenant) then
    insert into fulfillment.rules_versions (tenant, version) values (new.tenant, 1)
    on conflict (tenant) do update set version = fulfillment.rules_versions.version + 1;
  end if;
  return null;
end
$$;

create trigger fulfillments_bump_rules_version
after insert or update or delete on fulfillment.fulfillments
for each row execute function fulfillment.bump_rules_version();
