-- Imports from the old system: opening balances (reward) and historical purchases (fulfillment).
-- A job row per POST, its counts moved in the same transaction as each batch's effects, so a
-- crash leaves whole batches and counts that match them; every refused row kept with its line,
-- field and reason.

-- An opening balance is a credit-like entry and lot of its own kind, once per user and tenant
-- (lot key `opening:<userId>`).
alter table reward.ledger drop constraint ledger_kind_check;
alter table reward.ledger add constraint ledger_kind_check
  check (kind in ('credit', 'redemption', 'reversal', 'expiry', 'adjustment', 'activation', 'opening'));
alter table reward.lots drop constraint lots_source_check;
alter table reward.lots add constraint lots_source_check check (source in ('credit', 'adjustment', 'opening'));

create table reward.imports (
  id uuid primary key,
  tenant text not null,
  kind text not null check (kind in ('opening-balances')),
  status text not null default 'running' check (status in ('running', 'finished', 'failed')),
  rows_read bigint not null default 0,
  rows_applied bigint not null default 0,
  rows_duplicate bigint not null default 0,
  rows_refused bigint not null default 0,
  started_by_kind text check (started_by_kind in ('operator', 'api-key')),
  started_by_id text,
  failure text,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create index imports_by_tenant on reward.imports (tenant, started_at);

create table reward.import_refusals (
  import_id uuid not null references reward.imports (id) on delete cascade,
  line bigint not null,
  field text,
  reason text not null,
  primary key (import_id, line)
);

create table fulfillment.imports (like reward.imports including defaults including constraints);
alter table fulfillment.imports add primary key (id);
alter table fulfillment.imports drop constraint imports_kind_check;
alter table fulfillment.imports add constraint imports_kind_check check (kind in ('purchases'));
create index imports_by_tenant on fulfillment.imports (tenant, started_at);

create table fulfillment.import_refusals (
  import_id uuid not null references fulfillment.imports (id) on delete cascade,
  line bigint not null,
  field text,
  reason text not null,
  primary key (import_id, line)
);
