import type postgres from "postgres"

/** The user whose one purchase, sent through the real pipeline, every seeded user copies. */
export const templateUser = "tpl"

/** The seeded users are `u0`, `u1`, …: the measured load draws its buyers from them. */
export const seededUser = (n: number) => `u${n}`

/**
 * Every row the pipeline wrote for the template user's one purchase (found by running purchases
 * and reading which tables got rows: `bun run bench:work` prints them per table), copied for
 * users `from` … `to - 1` in set-based statements (the template's rows × generate_series). Keys
 * that hold the user (`tpl`, `tpl-0`) get the new user's name; derived event ids (uuids) get a
 * uuid of their own per user (md5 of the template's id and the user's number), so every copy has
 * the keys, row sizes and index entries a real user's purchase leaves. JSON columns (members,
 * lines, parts) are copied as they are: nothing the measured load does reads another user's.
 * Ledger and lot ids are the template's plus a stride per user, so each ledger row still points
 * at its own lot; the identity sequences are moved past them afterwards.
 */
export const seedUsers = async (sql: postgres.Sql, tenant: string, from: number, to: number) => {
  if (to <= from) return
  const statements = copyStatements(stride)
  // Two lanes, each on one connection of its own (the pg_temp function lives in its session):
  // the fulfillment and campaign tables, and the reward tables (lots before the ledger that
  // points at them). Chunks of 100,000 users keep each statement's transaction bounded.
  const lanes = [statements.filter((s) => !s.table.startsWith("reward.")), statements.filter((s) => s.table.startsWith("reward."))]
  await Promise.all(lanes.map(async (lane) => {
    const db = await sql.reserve()
    try {
      await db.unsafe(`set synchronous_commit = off`)
      await db.unsafe(remapFunction)
      for (let lo = from; lo < to; lo += 100_000) {
        const hi = Math.min(to, lo + 100_000)
        for (const { text } of lane) await db.unsafe(text, [tenant, templateUser, lo, hi - 1])
      }
    } finally {
      db.release()
    }
  }))
  await sql.unsafe(`select setval(pg_get_serial_sequence('reward.lots', 'id'), (select max(id) from reward.lots))`)
  await sql.unsafe(`select setval(pg_get_serial_sequence('reward.ledger', 'id'), (select max(id) from reward.ledger))`)
}

const remapFunction = `
  create or replace function pg_temp.remap(t text, g bigint) returns text language sql immutable as $$
    select case when t ~ '^[0-9a-f]{8}-[0-9a-f]{4}-' then md5(t || ':' || g)::uuid::text
                else replace(t, '${templateUser}', 'u' || g) end
  $$`

/**
 * Ten million: more than any ledger or lot id the template's purchase got, and than the rows a
 * measured load adds between two seedings, so no copy meets an id the pipeline gave.
 */
const stride = 10_000_000

// $1 tenant, $2 template user, $3..$4 the users' numbers (inclusive); `stride` (a number of ours) as a literal.
const users = `generate_series($3::bigint, $4::bigint) as g`
const copyStatements = (stride: number) => ([
  `insert into fulfillment.processed_events (tenant, topic, event_id, processed_at)
   select e.tenant, e.topic, pg_temp.remap(e.event_id, g), e.processed_at
   from fulfillment.processed_events e, ${users}
   where e.tenant = $1 and e.topic = 'buy' and e.event_id like $2 || '-%'`,
  `insert into fulfillment.orders (tenant, order_id, user_id, lines, held_refunds, updated_at)
   select o.tenant, pg_temp.remap(o.order_id, g), pg_temp.remap(o.user_id, g), o.lines, o.held_refunds, o.updated_at
   from fulfillment.orders o, ${users} where o.tenant = $1 and o.user_id = $2`,
  `insert into fulfillment.completions (tenant, fulfillment_event_id, user_id, fulfillment_id, rule, parts, revoked)
   select c.tenant, pg_temp.remap(c.fulfillment_event_id, g), pg_temp.remap(c.user_id, g), c.fulfillment_id, c.rule, c.parts, c.revoked
   from fulfillment.completions c, ${users} where c.tenant = $1 and c.user_id = $2`,
  `insert into fulfillment.completion_orders (tenant, order_id, fulfillment_event_id)
   select o.tenant, pg_temp.remap(o.order_id, g), pg_temp.remap(o.fulfillment_event_id, g)
   from fulfillment.completion_orders o join fulfillment.completions c on c.tenant = o.tenant and c.fulfillment_event_id = o.fulfillment_event_id, ${users}
   where c.tenant = $1 and c.user_id = $2`,
  `insert into campaign.processed_events (tenant, topic, event_id, processed_at)
   select e.tenant, e.topic, pg_temp.remap(e.event_id, g), e.processed_at
   from campaign.processed_events e join fulfillment.completions c on c.tenant = e.tenant and c.fulfillment_event_id = e.event_id, ${users}
   where c.tenant = $1 and c.user_id = $2 and e.topic = 'fulfillment'`,
  `insert into campaign.progress (tenant, user_id, campaign_id, completed, completions, updated_at, basis, order_ids, last_event_at, members)
   select p.tenant, pg_temp.remap(p.user_id, g), p.campaign_id, p.completed, p.completions, p.updated_at, p.basis,
          pg_temp.remap(p.order_ids::text, g)::jsonb, p.last_event_at, p.members
   from campaign.progress p, ${users} where p.tenant = $1 and p.user_id = $2`,
  `insert into campaign.round_members (tenant, fulfillment_event_id, campaign_id, round_event_id)
   select m.tenant, pg_temp.remap(m.fulfillment_event_id, g), m.campaign_id, pg_temp.remap(m.round_event_id, g)
   from campaign.round_members m join fulfillment.completions c on c.tenant = m.tenant and c.fulfillment_event_id = m.fulfillment_event_id, ${users}
   where c.tenant = $1 and c.user_id = $2`,
  `insert into campaign.completed_rounds (tenant, campaign_id, round_event_id, user_id, basis, members, rewards, standing, period, revoked)
   select r.tenant, r.campaign_id, pg_temp.remap(r.round_event_id, g), pg_temp.remap(r.user_id, g), r.basis, r.members, r.rewards, r.standing, r.period, r.revoked
   from campaign.completed_rounds r, ${users} where r.tenant = $1 and r.user_id = $2`,
  `insert into reward.processed_events (tenant, topic, event_id, processed_at)
   select e.tenant, e.topic, pg_temp.remap(e.event_id, g), e.processed_at
   from reward.processed_events e join reward.ledger l on l.tenant = e.tenant and l.event_id = e.event_id, ${users}
   where l.tenant = $1 and l.user_id = $2 and e.topic = 'reward'`,
  `insert into reward.balances (tenant, user_id, points, updated_at, pending, earned, tier, tier_review_at)
   select b.tenant, pg_temp.remap(b.user_id, g), b.points, b.updated_at, b.pending, b.earned, b.tier, b.tier_review_at
   from reward.balances b, ${users} where b.tenant = $1 and b.user_id = $2`,
  `insert into reward.lots (id, tenant, user_id, lot_key, source, points, multiplier, remaining, reversed, occurred_at, available_at, expires_at, pending, expired)
   overriding system value
   select l.id + (g + 1) * ${stride}, l.tenant, pg_temp.remap(l.user_id, g),
          split_part(l.lot_key, ':', 1) || ':' || pg_temp.remap(substring(l.lot_key from position(':' in l.lot_key) + 1), g),
          l.source, l.points, l.multiplier, l.remaining, l.reversed, l.occurred_at, l.available_at, l.expires_at, l.pending, l.expired
   from reward.lots l, ${users} where l.tenant = $1 and l.user_id = $2`,
  `insert into reward.ledger (id, tenant, user_id, amount, kind, reward_id, campaign_id, event_id, redemption_id, created_at, occurred_at, basis,
                              order_ids, pending_change, shortfall, balance_after, lot_id, cause_event_id, order_id, reason, idempotency_key, actor_kind, actor_id)
   overriding system value
   select l.id + (g + 1) * ${stride}, l.tenant, pg_temp.remap(l.user_id, g), l.amount, l.kind, l.reward_id, l.campaign_id, pg_temp.remap(l.event_id, g), l.redemption_id,
          l.created_at, l.occurred_at, l.basis, pg_temp.remap(l.order_ids::text, g)::text[], l.pending_change, l.shortfall, l.balance_after,
          l.lot_id + (g + 1) * ${stride}, pg_temp.remap(l.cause_event_id, g), l.order_id, l.reason, l.idempotency_key, l.actor_kind, l.actor_id
   from reward.ledger l, ${users} where l.tenant = $1 and l.user_id = $2`
] as const).map((text) => ({ text, table: /insert into ([a-z_.]+)/.exec(text)![1]! }))

/** The tables `seedUsers` writes, for `vacuum analyze` after it and for the row counts printed. */
export const seededTables = [
  "fulfillment.processed_events", "fulfillment.orders", "fulfillment.completions", "fulfillment.completion_orders",
  "campaign.processed_events", "campaign.progress", "campaign.round_members", "campaign.completed_rounds",
  "reward.processed_events", "reward.balances", "reward.lots", "reward.ledger"
] as const
