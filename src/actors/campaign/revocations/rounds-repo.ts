import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import { decodeMembers, encodeMembers } from "../members.ts"
import type { RewardPoints } from "../rules/round-points.ts"
import type { CompletedRound } from "./round.ts"

type StoredPoints = Array<{ rewardId: string; points: string | null }>

const encodePoints = (points: ReadonlyArray<RewardPoints>) =>
  JSON.stringify(points.map((p) => ({ rewardId: p.rewardId, points: p.points === null ? null : D.toText(p.points) })))
const decodePoints = (text: string): ReadonlyArray<RewardPoints> =>
  (JSON.parse(text) as StoredPoints).map((p) => ({ rewardId: p.rewardId, points: p.points === null ? null : D.fromText(p.points) }))

interface RoundRow {
  readonly tenant: string
  readonly campaign_id: string
  readonly round_event_id: string
  readonly user_id: string
  readonly basis: string | null
  readonly members: string
  readonly rewards: string
  readonly standing: string
  readonly period: string | null
  readonly revoked: boolean
  readonly fulfillment_event_id: string
}

const roundFrom = (row: RoundRow): CompletedRound => ({
  tenant: row.tenant,
  campaignId: row.campaign_id,
  roundEventId: row.round_event_id,
  userId: row.user_id,
  ...(row.basis !== null && { basis: D.fromText(row.basis) }),
  members: decodeMembers(row.members),
  rewards: decodePoints(row.rewards),
  standing: decodePoints(row.standing),
  ...(row.period !== null && { period: row.period }),
  revoked: row.revoked
})

const columns = (rounds: ReadonlyArray<CompletedRound>) => ({
  tenants: rounds.map((r) => r.tenant),
  campaigns: rounds.map((r) => r.campaignId),
  ids: rounds.map((r) => r.roundEventId),
  bases: rounds.map((r) => (r.basis === undefined ? null : D.toText(r.basis))),
  members: rounds.map((r) => encodeMembers(r.members)),
  standing: rounds.map((r) => encodePoints(r.standing))
})

/** Records a batch's completed rounds and which fulfillment events each counted, in one statement. */
export const recordRounds = (tx: Sql, rounds: ReadonlyArray<CompletedRound>) => {
  if (rounds.length === 0) return Effect.void
  const c = columns(rounds)
  const links = rounds.flatMap((r) => r.members.map((m) => ({ tenant: r.tenant, eventId: m.eventId, campaignId: r.campaignId, roundEventId: r.roundEventId })))
  return exec(() => tx`
    with added as (
      insert into campaign.completed_rounds (tenant, campaign_id, round_event_id, user_id, basis, members, rewards, standing, period)
      select k.tenant, k.campaign_id, k.id, k.user_id, k.basis::numeric, k.members::jsonb, k.rewards::jsonb, k.standing::jsonb, k.period
      from unnest(${c.tenants}::text[], ${c.campaigns}::uuid[], ${c.ids}::text[], ${rounds.map((r) => r.userId)}::text[], ${c.bases}::text[],
                  ${c.members}::text[], ${rounds.map((r) => encodePoints(r.rewards))}::text[], ${c.standing}::text[], ${rounds.map((r) => r.period ?? null)}::text[])
        as k(tenant, campaign_id, id, user_id, basis, members, rewards, standing, period)
      on conflict do nothing
    )
    insert into campaign.round_members (tenant, fulfillment_event_id, campaign_id, round_event_id)
    select * from unnest(${links.map((l) => l.tenant)}::text[], ${links.map((l) => l.eventId)}::text[], ${links.map((l) => l.campaignId)}::uuid[],
                         ${links.map((l) => l.roundEventId)}::text[])
    on conflict do nothing`).pipe(Effect.asVoid)
}

/**
 * The completed rounds that counted the fulfillment events `refs`, locked until the transaction
 * ends (in key order), with the member event each was found by.
 */
export const lockRoundsOf = (tx: Sql, refs: ReadonlyArray<{ readonly tenant: string; readonly eventId: string }>) => {
  if (refs.length === 0) return Effect.succeed([] as ReadonlyArray<{ readonly eventId: string; readonly round: CompletedRound }>)
  return exec(() => tx<Array<RoundRow>>`
    select r.tenant, r.campaign_id::text as campaign_id, r.round_event_id, r.user_id, r.basis::text as basis, r.members::text as members,
           r.rewards::text as rewards, r.standing::text as standing, r.period, r.revoked, m.fulfillment_event_id
    from campaign.round_members m
    join unnest(${refs.map((r) => r.tenant)}::text[], ${refs.map((r) => r.eventId)}::text[]) as k(tenant, event_id)
      on m.tenant = k.tenant and m.fulfillment_event_id = k.event_id
    join campaign.completed_rounds r on r.tenant = m.tenant and r.campaign_id = m.campaign_id and r.round_event_id = m.round_event_id
    order by r.tenant, r.campaign_id, r.round_event_id
    for update of r`).pipe(Effect.map((rows) => rows.map((row) => ({ eventId: row.fulfillment_event_id, round: roundFrom(row) }))))
}

/** Writes back what revocations did to rounds: their basis, members, standing points, and whether revoked. */
export const saveRounds = (tx: Sql, rounds: ReadonlyArray<CompletedRound>) => {
  if (rounds.length === 0) return Effect.void
  const c = columns(rounds)
  return exec(() => tx`
    update campaign.completed_rounds r
    set basis = k.basis::numeric, members = k.members::jsonb, standing = k.standing::jsonb, revoked = k.revoked::boolean
    from unnest(${c.tenants}::text[], ${c.campaigns}::uuid[], ${c.ids}::text[], ${c.bases}::text[], ${c.members}::text[], ${c.standing}::text[],
                ${rounds.map((r) => String(r.revoked))}::text[]) as k(tenant, campaign_id, id, basis, members, standing, revoked)
    where r.tenant = k.tenant and r.campaign_id = k.campaign_id and r.round_event_id = k.id`).pipe(Effect.asVoid)
}

/** Which of the fulfillment events `refs` this service has handled (within the processed-events retention). */
export const handledFulfillments = (tx: Sql, refs: ReadonlyArray<{ readonly tenant: string; readonly eventId: string }>) => {
  if (refs.length === 0) return Effect.succeed(new Set<string>())
  return exec(() => tx<Array<{ tenant: string; event_id: string }>>`
    select p.tenant, p.event_id from campaign.processed_events p
    join unnest(${refs.map((r) => r.tenant)}::text[], ${refs.map((r) => r.eventId)}::text[]) as k(tenant, event_id)
      on p.tenant = k.tenant and p.topic = 'fulfillment' and p.event_id = k.event_id`).pipe(
    Effect.map((rows) => new Set(rows.map((r) => `${r.tenant}\u0000${r.event_id}`)))
  )
}
