-- A backfill re-evaluates one campaign over the `fulfillment` events in the log since a time. One
-- job per campaign; its partitions' offsets are fixed when it starts (from: the first offset at or
-- after `from_time`, end: the log's end then) and `current` moves in the same transaction as the
-- effects of what it read, so a restart resumes exactly where the last committed batch ended.
create table campaign.backfills (
  id uuid primary key,
  tenant text not null,
  campaign_id uuid not null references campaign.campaigns (id) on delete cascade,
  from_time timestamptz not null,
  status text not null default 'running',
  -- [{partition, start, end, current}] with the offsets as decimal text.
  partitions jsonb not null,
  events_read bigint not null default 0,
  members_completed bigint not null default 0,
  rewards_granted bigint not null default 0,
  points_granted numeric not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint backfills_status check (status in ('running', 'done')),
  constraint backfills_one_per_campaign unique (tenant, campaign_id)
);
create index backfills_running on campaign.backfills (created_at) where status = 'running';
