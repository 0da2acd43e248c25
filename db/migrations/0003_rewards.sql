-- Rewards, and the points they turn into. Points are numeric: exact decimals, never floats.
create table reward.rewards (
  id uuid primary key,
  tenant text not null,
  points numeric(20, 4) not null check (points > 0),
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index rewards_by_tenant on reward.rewards (tenant, created_at);

-- Every movement of points. A balance is the sum of its user's entries.
create table reward.ledger (
  id bigint generated always as identity primary key,
  tenant text not null,
  user_id text not null,
  amount numeric(20, 4) not null check (amount <> 0),
  kind text not null check (kind in ('credit', 'redemption')),
  reward_id uuid,
  campaign_id uuid,
  event_id text,
  redemption_id uuid,
  -- When the entry was written (not when its transaction began): what credit latency is measured by.
  created_at timestamptz not null default clock_timestamp()
);
create index ledger_by_user on reward.ledger (tenant, user_id, id);

-- The running sum of the ledger per user, kept in the same transactions; never below zero.
create table reward.balances (
  tenant text not null,
  user_id text not null,
  points numeric(20, 4) not null default 0 check (points >= 0),
  updated_at timestamptz not null default now(),
  primary key (tenant, user_id)
);

-- Points exchanged for something; the idempotency key makes a retried request a replay.
create table reward.redemptions (
  id uuid primary key,
  tenant text not null,
  user_id text not null,
  idempotency_key text not null,
  points numeric(20, 4) not null check (points > 0),
  reason text not null,
  balance_after numeric(20, 4) not null,
  created_at timestamptz not null default now(),
  unique (tenant, idempotency_key)
);
