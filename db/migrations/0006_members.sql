-- Members: a tenant's end customers (the userId in events), as the original user service kept them.
create table users.members (
  id uuid primary key,
  tenant text not null,
  fullname text not null,
  username text not null,
  created_at timestamptz not null default now(),
  unique (tenant, username)
);
