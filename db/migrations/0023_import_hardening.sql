-- A running import touches its row every few seconds; each service sweeps the running ones whose
-- row has gone untouched past the stale horizon (their process is gone) to `failed`. The sweep
-- reads only the running jobs.
create index imports_running on reward.imports (updated_at) where status = 'running';
create index imports_running on fulfillment.imports (updated_at) where status = 'running';

-- The purchases imports have sent to `buy`, by tenant and event id: a row an earlier import sent is
-- counted as a duplicate and not sent again. Inserted in the transaction that records the batch,
-- after its produce succeeded; kept as long as the processed-event ids (pruned by `imported_at`).
create table fulfillment.imported_purchases (
  tenant text not null,
  event_id text not null,
  imported_at timestamptz not null default now(),
  primary key (tenant, event_id)
);
create index imported_purchases_by_age on fulfillment.imported_purchases using brin (imported_at);
