-- Members (end customers) reach their own balance through the shop's app with a member token.
-- A shop's backend mints those tokens with an API key of the new scope `members:token`.
alter table users.api_keys drop constraint api_keys_scopes_check;
alter table users.api_keys add constraint api_keys_scopes_check
  check (cardinality(scopes) > 0 and scopes <@ array['events:write', 'read', 'members:token']::text[]);

-- What a member may redeem on their own: off until the tenant turns it on; null limits are none.
alter table reward.programs
  add column member_redemption jsonb not null default '{"enabled": false, "max_points_per_redemption": null, "max_points_per_day": null}'::jsonb;

-- A redemption made with a member token is recorded as the member's, and counts against the day's limit.
alter table reward.ledger drop constraint ledger_actor_kind_check;
alter table reward.ledger add constraint ledger_actor_kind_check check (actor_kind in ('operator', 'api-key', 'member'));
alter table reward.redemptions add column by_member boolean not null default false;
create index redemptions_by_member_idx on reward.redemptions (tenant, user_id, created_at) where by_member;
