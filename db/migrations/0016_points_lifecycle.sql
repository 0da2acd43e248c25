-- The points lifecycle: a program per tenant, every credit a lot that may wait (pending), expire
-- and be taken back, tiers from the points earned, and an audited ledger of every movement.

-- A tenant's program; a tenant without one keeps the original behaviour (spendable at once, never
-- expiring, no tiers, reversals may take a balance below zero).
create table reward.programs (
  tenant text primary key,
  time_zone text not null default 'UTC',
  pending_days integer not null default 0 check (pending_days between 0 and 3650),
  points_expire_after text,
  expire_after_ms bigint check (expire_after_ms > 0),
  negative_balance text not null default 'allow' check (negative_balance in ('allow', 'clamp')),
  tiers jsonb not null default '[]',
  tier_window text,
  tier_window_ms bigint check (tier_window_ms > 0),
  updated_at timestamptz not null default now(),
  check ((points_expire_after is null) = (expire_after_ms is null)),
  check ((tier_window is null) = (tier_window_ms is null))
);

-- Every credit (and every positive adjustment) is a lot; `remaining` is what is left of it to
-- spend or expire. `lot_key` names what made it (`credit:<event id>`, `adjustment:<key>`), once
-- per tenant, so a replay can never add a lot twice.
create table reward.lots (
  id bigint generated always as identity primary key,
  tenant text not null,
  user_id text not null,
  lot_key text not null,
  source text not null check (source in ('credit', 'adjustment')),
  points numeric(20, 4) not null check (points > 0),
  multiplier numeric(20, 4) not null default 1 check (multiplier > 0),
  remaining numeric(20, 4) not null check (remaining >= 0),
  reversed numeric(20, 4) not null default 0 check (reversed >= 0 and reversed <= points),
  occurred_at timestamptz not null,
  available_at timestamptz not null,
  expires_at timestamptz,
  pending boolean not null default false,
  expired boolean not null default false,
  unique (tenant, lot_key)
);
create index lots_by_user on reward.lots (tenant, user_id, occurred_at);
create index lots_to_activate on reward.lots (available_at) where pending;
create index lots_to_expire on reward.lots (expires_at) where not expired and expires_at is not null;

-- A balance keeps `points` = spendable now (below zero only when a reversal took back points
-- already spent and the program allows it), beside the pending points, the points earned over the
-- user's life (credits minus reversals) and the tier, with when it must be looked at again.
alter table reward.balances drop constraint balances_points_check;
alter table reward.balances
  add column pending numeric(20, 4) not null default 0 check (pending >= 0),
  add column earned numeric(20, 4) not null default 0,
  add column tier text,
  add column tier_review_at timestamptz;
create index balances_tier_review on reward.balances (tier_review_at) where tier_review_at is not null;

-- Every entry says what kind of movement it is, what caused it and who made it. `amount` moves the
-- spendable balance, `pending_change` the pending points (a credit still pending moves only them,
-- its activation moves them over). A reversal or a debit that a `clamp` program stopped at zero
-- records what it could not take as `shortfall`. `balance_after` is the spendable balance right
-- after the entry (null for entries from before).
alter table reward.ledger drop constraint ledger_kind_check;
alter table reward.ledger drop constraint ledger_amount_check;
alter table reward.ledger
  add column pending_change numeric(20, 4) not null default 0,
  add column shortfall numeric(20, 4) not null default 0 check (shortfall >= 0),
  add column balance_after numeric(20, 4),
  add column lot_id bigint references reward.lots (id),
  add column cause_event_id text,
  add column order_id text,
  add column reason text,
  add column idempotency_key text,
  add column actor_kind text check (actor_kind in ('operator', 'api-key')),
  add column actor_id text,
  add constraint ledger_kind_check check (kind in ('credit', 'redemption', 'reversal', 'expiry', 'adjustment', 'activation')),
  add constraint ledger_moves check (amount <> 0 or pending_change <> 0 or shortfall > 0);
create unique index ledger_once_per_lot on reward.ledger (lot_id, kind) where kind in ('activation', 'expiry');
create unique index ledger_adjustment_key on reward.ledger (tenant, idempotency_key) where kind = 'adjustment';
create unique index ledger_reversal_event on reward.ledger (tenant, event_id) where kind = 'reversal';

-- A reversal whose credit has not arrived yet (the topics are apart) waits here for it.
create table reward.held_reversals (
  tenant text not null,
  event_id text not null,
  credit_key text not null,
  user_id text not null,
  event jsonb not null,
  held_at timestamptz not null default now(),
  primary key (tenant, event_id)
);
create index held_reversals_by_credit on reward.held_reversals (tenant, credit_key);

-- What was credited before lots existed becomes one spendable, never-expiring lot per credit, so a
-- refund of an old credit finds it. Redemptions spent the oldest points first, so what is left of a
-- balance is the newest credits': each lot keeps what the balance still holds of it.
insert into reward.lots (tenant, user_id, lot_key, source, points, remaining, occurred_at, available_at)
select c.tenant, c.user_id, 'credit:' || c.event_id, 'credit', c.amount,
       greatest(0, least(c.amount, b.points - coalesce(sum(c.amount) over (
         partition by c.tenant, c.user_id order by c.id desc rows between unbounded preceding and 1 preceding), 0))),
       coalesce(c.occurred_at, c.created_at), coalesce(c.occurred_at, c.created_at)
from reward.ledger c join reward.balances b on b.tenant = c.tenant and b.user_id = c.user_id
where c.kind = 'credit' and c.event_id is not null and c.amount > 0
order by c.id
on conflict (tenant, lot_key) do nothing;
update reward.ledger l set lot_id = lots.id
from reward.lots where l.kind = 'credit' and lots.tenant = l.tenant and lots.lot_key = 'credit:' || l.event_id;
update reward.balances b set earned = coalesce((
  select sum(amount) from reward.ledger l where l.tenant = b.tenant and l.user_id = b.user_id and l.kind = 'credit'), 0);
