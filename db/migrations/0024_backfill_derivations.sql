-- A campaign backfill also judges the purchases and activities its fulfillments never saw: those
-- in the log before a fulfillment was created. What the live consumer judged and what a backfill
-- derives must never overlap, so the fulfillment service records, per fulfillment and partition
-- of `buy` and `activity`, the first offset its live consumer judged with that fulfillment known.
-- A record before it was never judged by the fulfillment (a replay does not judge it either); a
-- derivation judges exactly those. Partition -1: every partition from the first offset (the
-- fulfillments that existed before this table, judged on everything they saw).
create table fulfillment.rule_starts (
  tenant text not null,
  fulfillment_id uuid not null,
  topic text not null,
  partition int not null,
  first_offset bigint not null,
  primary key (tenant, fulfillment_id, topic, partition)
);
insert into fulfillment.rule_starts (tenant, fulfillment_id, topic, partition, first_offset)
select f.tenant, f.id, t.topic, -1, 0 from fulfillment.fulfillments f cross join (values ('buy'), ('activity')) as t(topic);

-- One derivation per campaign backfill job (asked for on topic `backfill-request`): its ranges of
-- `buy` and `activity` (fixed once measured), each fulfillment's bound per partition (where its
-- live judging starts, fixed once the live consumer has passed the ranges' end), and `current`
-- moved in the same transaction as what each batch derived.
create table fulfillment.derivations (
  job_id uuid primary key,
  tenant text not null,
  campaign_id uuid not null,
  fulfillment_ids uuid[] not null,
  from_time timestamptz not null,
  status text not null default 'running',
  -- [{topic, partition, start, end, current}], offsets as decimal text; null until measured.
  ranges jsonb,
  -- {"<fulfillment id>/<topic>/<partition>": "<offset>"}: records before it are derived; null until fixed.
  bounds jsonb,
  events_read bigint not null default 0,
  completions bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint derivations_status check (status in ('running', 'done'))
);
create index derivations_running on fulfillment.derivations (created_at) where status = 'running';

-- The goal progress of a derivation: its own, so the live progress is never touched by it.
create table fulfillment.derivation_progress (
  job_id uuid not null references fulfillment.derivations (job_id) on delete cascade,
  tenant text not null,
  user_id text not null,
  fulfillment_id uuid not null,
  rule text not null,
  latest_event_ms bigint not null,
  contributions jsonb not null,
  primary key (job_id, tenant, user_id, fulfillment_id)
);

-- The campaign side: where the job's derived completions start on `backfill-fulfillment` (the
-- log's end when it asked) and how far it read; null for jobs from before derivations.
alter table campaign.backfills
  add column derived_partitions jsonb,
  add column derived_read bigint not null default 0,
  add column derived_done boolean not null default false;
