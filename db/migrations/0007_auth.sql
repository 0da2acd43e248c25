-- Authentication: tenants, the operators who run them, their sessions, machine API keys, and the
-- key pair that signs access tokens. Secrets are stored only as hashes; the signing key is shared
-- here so that every user-service process signs with the same key the others publish.

create table users.tenants (
  id text primary key check (id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  name text not null,
  created_at timestamptz not null default now()
);

create table users.operators (
  id uuid primary key,
  username text not null unique,
  password_hash text not null,
  role text not null check (role in ('admin', 'tenant-admin', 'tenant-viewer')),
  tenant text null references users.tenants (id),
  created_at timestamptz not null default now(),
  disabled_at timestamptz null,
  -- The platform admin belongs to no tenant; everyone else to exactly one.
  check ((role = 'admin') = (tenant is null))
);
create index operators_tenant_idx on users.operators (tenant);

-- One family per login: rotation keeps the family, and reuse of a rotated token revokes all of it.
create table users.refresh_tokens (
  id uuid primary key,
  operator_id uuid not null references users.operators (id) on delete cascade,
  token_hash text not null unique,
  family_id uuid not null,
  expires_at timestamptz not null,
  revoked_at timestamptz null,
  created_at timestamptz not null default now()
);
create index refresh_tokens_family_idx on users.refresh_tokens (family_id);
create index refresh_tokens_operator_idx on users.refresh_tokens (operator_id);

create table users.api_keys (
  id uuid primary key,
  tenant text not null references users.tenants (id),
  name text not null,
  key_hash text not null unique,
  scopes text[] not null check (cardinality(scopes) > 0 and scopes <@ array['events:write', 'read']::text[]),
  created_by uuid null references users.operators (id) on delete set null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz null,
  last_used_at timestamptz null
);
create index api_keys_tenant_idx on users.api_keys (tenant);

create table users.signing_keys (
  kid text primary key,
  private_jwk jsonb not null,
  public_jwk jsonb not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz null
);
