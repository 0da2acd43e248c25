-- A backfill also re-reads the refunds in its range: before the `fulfillment` events it reads the
-- `fulfillment-revoked` events since the same time, up to the log's end when that phase starts,
-- and keeps those of its tenant here; a fulfillment event it counts is judged with them (one a
-- refund took back counts for nothing, one whose spend shrank counts with what is left). The live
-- revocation consumer adds every revocation it applies while a job of the tenant runs, so a refund
-- that arrives while the job is still behind its purchase is not missed either.
alter table campaign.backfills add column revocation_partitions jsonb;
alter table campaign.backfills add column revocations_read bigint not null default 0;
-- Jobs from before read no refunds: theirs is an empty range.
update campaign.backfills set revocation_partitions = '[]'::jsonb;

create table campaign.backfill_revocations (
  -- No foreign key: the live consumer writes here holding its user locks, and must never wait on
  -- the job's row, which a backfill batch locks before it takes the same user locks.
  job_id uuid not null,
  tenant text not null,
  fulfillment_event_id text not null,
  event_id text not null,
  event jsonb not null,
  primary key (job_id, tenant, fulfillment_event_id, event_id)
);

-- Any number of jobs per campaign, one running at a time: a job over a range an earlier one read
-- counts nothing twice (its events are recorded as processed under the campaign's name).
alter table campaign.backfills drop constraint backfills_one_per_campaign;
create unique index backfills_one_running on campaign.backfills (tenant, campaign_id) where status = 'running';
create index backfills_of_campaign on campaign.backfills (tenant, campaign_id, created_at desc, id desc);
