-- A running import touches its row every few seconds; each service sweeps the running ones whose
-- row has gone untouched past the stale horizon (their process is gone) to `failed`. The sweep
-- reads only the running jobs.
create index imports_running on reward.imports (updated_at) where status = 'running';
create index imports_running on fulfillment.imports (updated_at) where status = 'running';
