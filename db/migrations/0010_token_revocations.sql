-- Access tokens revoked before they expire: every token of a session (logout, a refresh token
-- presented twice) or every token of an operator issued up to the revocation (disable). A row
-- matters only as long as a token it covers can still be valid, and is pruned after that.
-- Every process keeps a copy in memory; other processes follow it by transaction id (txid): a
-- reader that has seen everything below its snapshot's xmin never misses a row that commits late.

create table users.token_revocations (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('session', 'operator')),
  -- The session's refresh-token family id, or the operator's id.
  subject uuid not null,
  revoked_at timestamptz not null default now(),
  expires_at timestamptz not null,
  txid xid8 not null default pg_current_xact_id()
);
create index token_revocations_txid_idx on users.token_revocations (txid);
create index token_revocations_expires_idx on users.token_revocations (expires_at);
