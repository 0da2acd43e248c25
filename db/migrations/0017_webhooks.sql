-- Webhooks: a tenant's endpoints, and an outbox of deliveries to them. The webhook consumer writes
-- one delivery per event and matching endpoint in its batch's transaction (the unique key makes a
-- replay add nothing); the relay leases due rows, posts them with no transaction open, and records
-- each attempt.
create table reward.webhook_endpoints (
  tenant text not null,
  id uuid not null,
  url text not null,
  events text[] not null,
  description text,
  enabled boolean not null default true,
  -- Why it was disabled by Loyaltea (sustained failure); null when enabled or disabled by hand.
  disabled_reason text,
  -- Since when every attempt has failed, and how many attempts in a row; reset by a success.
  failing_since timestamptz,
  consecutive_failures integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant, id)
);

-- The signing secrets of an endpoint: requests are signed with every one of them (two during a rotation).
create table reward.webhook_secrets (
  tenant text not null,
  endpoint_id uuid not null,
  id uuid not null,
  secret text not null,
  created_at timestamptz not null default now(),
  primary key (tenant, endpoint_id, id),
  foreign key (tenant, endpoint_id) references reward.webhook_endpoints (tenant, id) on delete cascade
);

create table reward.webhook_deliveries (
  id bigint generated always as identity primary key,
  tenant text not null,
  endpoint_id uuid not null,
  -- The stable id the receiver dedupes on (`Loyaltea-Event-Id`): the same for every attempt.
  event_id text not null,
  event_type text not null,
  -- A member's deliveries to one endpoint go out in id order.
  user_id text not null,
  payload text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  -- Attempts since the retry window began (a manual redelivery starts a new one): what the backoff grows with.
  window_attempts integer not null default 0,
  next_attempt_at timestamptz,
  -- Retried until then (set at the first attempt, and again by a manual redelivery).
  retry_until timestamptz,
  leased_until timestamptz,
  last_attempt_at timestamptz,
  last_status integer,
  last_error text,
  last_latency_ms integer,
  last_response text,
  created_at timestamptz not null default now(),
  unique (tenant, endpoint_id, event_id),
  foreign key (tenant, endpoint_id) references reward.webhook_endpoints (tenant, id) on delete cascade
);
-- The relay's scan for due rows, and its check that no earlier delivery of the member is pending.
create index webhook_deliveries_due on reward.webhook_deliveries (id) where status = 'pending';
create index webhook_deliveries_pending on reward.webhook_deliveries (tenant, endpoint_id, user_id, id) where status = 'pending';
create index webhook_deliveries_log on reward.webhook_deliveries (tenant, endpoint_id, id desc);

create table reward.webhook_attempts (
  delivery_id bigint not null references reward.webhook_deliveries (id) on delete cascade,
  attempt integer not null,
  at timestamptz not null,
  status integer,
  error text,
  latency_ms integer not null,
  response_excerpt text,
  primary key (delivery_id, attempt)
);
