import { Effect, Result } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import { BackfillFulfillmentEvent } from "../../../events/backfill-fulfillment.ts"
import { FulfillmentEvent } from "../../../events/fulfillment.ts"
import { FulfillmentRevokedEvent } from "../../../events/fulfillment-revoked.ts"
import type { RawMessage } from "../../../kafka/dead-letter.ts"
import { nextAfter } from "../../../kafka/offset-ranges.ts"
import { consumedFrom, firstOfEachKey } from "../../../kafka/consumed.ts"
import { makeEventDecoder } from "../../../kafka/decode-event.ts"
import { appendOutbox } from "../../../kafka/outbox.ts"
import { keyOf, markProcessed } from "../../../kafka/processed-events.ts"
import type { Consumed } from "../../../kafka/topic-handler.ts"
import { doneOf, moveThroughRounds } from "../actor.ts"
import type { CampaignRules, CampaignsOf } from "../progress.ts"
import { type HeldRevocation, lockUsers } from "../revocations/held-repo.ts"
import { withHeldRevocations } from "../revocations/held-first.ts"
import { tenantRules } from "../rules-repo.ts"
import { knownTotal } from "../rules/round-points.ts"
import type { Backfill } from "./model.ts"
import { keepRefunds, refundsOf } from "./refunds-repo.ts"
import { advanceDerived, advanceJob, advanceRefunds, lockJob, type StoredBackfill } from "./repo.ts"

const decode = makeEventDecoder(FulfillmentEvent)
const consumedOf = (raw: RawMessage, event: FulfillmentEvent) => consumedFrom(raw, event, { tenant: event.tenant, eventId: event.eventId, occurredAt: event.occurredAt })
const decodeDerived = makeEventDecoder(BackfillFulfillmentEvent)
const decodeRevoked = makeEventDecoder(FulfillmentRevokedEvent)

/** What a job records as processed: its campaign's name, so no later job of the campaign counts an event twice either. */
export const processedName = (campaignId: string) => `backfill/${campaignId}`

/** The batch's events of the job's campaign: of its tenant, one of its fulfillments, inside the job's range of the partition. */
const eventsOf = (job: Backfill, campaign: CampaignRules, partition: { current: string; end: string }, messages: ReadonlyArray<RawMessage>) =>
  messages.flatMap((raw): Array<Consumed<FulfillmentEvent>> => {
    const offset = BigInt(raw.offset)
    if (offset < BigInt(partition.current) || offset >= BigInt(partition.end)) return []
    const decoded = decode(raw.value)
    // What does not decode was dead-lettered by the live consumer when it read it.
    if (Result.isFailure(decoded)) return []
    const event = decoded.success
    if (event.tenant !== job.tenant || !campaign.fulfillments.includes(event.fulfillmentId.toLowerCase())) return []
    return [consumedOf(raw, event)]
  })

/**
 * The fulfillment events the live consumer (or this backfill) has counted in the campaign
 * already: members of its completed rounds and of its users' open rounds. They are left alone,
 * so a backfill that overlaps what the live consumer saw after the campaign was created counts
 * nothing twice.
 */
const countedAlready = (tx: Sql, campaignId: string, events: ReadonlyArray<Consumed<FulfillmentEvent>>) => {
  if (events.length === 0) return Effect.succeed(new Set<string>())
  const tenants = events.map((e) => e.tenant)
  const ids = events.map((e) => e.eventId)
  const users = events.map((e) => e.event.userId)
  return exec(() => tx<Array<{ tenant: string; event_id: string }>>`
    select m.tenant, m.fulfillment_event_id as event_id from campaign.round_members m
    join unnest(${tenants}::text[], ${ids}::text[]) as k(tenant, event_id) on m.tenant = k.tenant and m.fulfillment_event_id = k.event_id
    where m.campaign_id = ${campaignId}::uuid
    union
    select p.tenant, e ->> 'eventId' from campaign.progress p
    join (select distinct * from unnest(${tenants}::text[], ${users}::text[]) as u(tenant, user_id)) k on p.tenant = k.tenant and p.user_id = k.user_id
    cross join lateral jsonb_array_elements(p.members) e
    where p.campaign_id = ${campaignId}::uuid`).pipe(Effect.map((rows) => new Set(rows.map((r) => keyOf({ tenant: r.tenant, eventId: r.event_id })))))
}

/**
 * The events of the campaign not seen before (earlier in the batch, by an earlier batch or job of
 * the campaign, or by the live consumer) moved through that campaign alone, with the live path's locks in its order
 * (users, progress, periods, budget) and its counters, rounds and `reward` ids, each judged with
 * the refunds the job knows of it.
 */
const creditFresh = (tx: Sql, job: StoredBackfill, campaign: CampaignRules | undefined, batch: ReadonlyArray<Consumed<FulfillmentEvent>>) =>
  Effect.gen(function*() {
    // An event in the batch twice (published again after a crash) is one event: its first copy.
    const events = firstOfEachKey(batch)
    const fresh = yield* markProcessed(tx, "campaign", processedName(job.campaignId), events.map((e) => ({ tenant: e.tenant, eventId: e.eventId })))
    const counted = campaign ? yield* countedAlready(tx, campaign.id, events) : new Set<string>()
    const uncounted = events.filter((e) => fresh.has(e.key) && !counted.has(e.key))
    // The users locked before the refunds are read: a live refund of one of them committed before
    // is among them, and one after finds the round this batch records.
    yield* lockUsers(tx, uncounted.map((c) => c.event))
    const judged = withHeldRevocations(uncounted, yield* refundsOf(tx, job, uncounted.map((e) => e.eventId)))
    const moved = campaign && judged.length > 0 ? yield* advanceOne(tx, campaign, judged) : { messages: [], completions: 0, rewards: 0, points: D.zero }
    return { ...moved, fresh: events.filter((e) => fresh.has(e.key)).length }
  })

const nothing = { emitted: [], outboxId: undefined, done: false }

/**
 * One fetched batch of one partition in one transaction: the job locked (its offset says where
 * the last committed batch ended), the batch's events of the campaign credited as the live
 * consumer would have, their rewards written to the outbox, and the partition's offset moved
 * past the batch. A crash before the commit leaves all of it undone; after it, the offset makes
 * a redelivery a no-op.
 */
export const applyBackfillBatch = (tx: Sql, jobId: string, partition: number, messages: ReadonlyArray<RawMessage>) =>
  Effect.gen(function*() {
    const job = yield* lockJob(tx, jobId)
    const range = job?.partitions.find((p) => p.partition === partition)
    const last = messages[messages.length - 1]
    if (!job || job.status === "done") return { ...nothing, done: true }
    // Purchases are judged only once every refund of the range is known.
    if (job.phase !== "fulfillments") return nothing
    if (!range || !last || BigInt(range.current) >= BigInt(range.end)) return nothing
    if (BigInt(last.offset) < BigInt(range.current)) return nothing
    const campaign = (yield* tenantRules(tx, job.tenant)).find((c) => c.rules.id === job.campaignId)?.rules
    const events = campaign ? eventsOf(job, campaign, range, messages) : []
    const emitted = yield* creditFresh(tx, job, campaign, events)
    const outboxId = yield* appendOutbox(tx, "campaign", emitted.messages)
    const done = yield* advanceJob(tx, job, {
      partition,
      next: nextAfter(range, last.offset),
      eventsRead: messages.filter((m) => BigInt(m.offset) >= BigInt(range.current) && BigInt(m.offset) < BigInt(range.end)).length,
      completions: emitted.completions,
      rewards: emitted.rewards,
      points: D.toText(emitted.points)
    })
    return { emitted: emitted.messages, outboxId, done }
  })

/** The job's derived completions in the batch (of its campaign's fulfillments), and whether the derivation's end is among them. */
const derivedOf = (job: StoredBackfill, campaign: CampaignRules | undefined, current: string, messages: ReadonlyArray<RawMessage>) => {
  let ended = false
  const events = messages.flatMap((raw): Array<Consumed<FulfillmentEvent>> => {
    if (BigInt(raw.offset) < BigInt(current)) return []
    const decoded = decodeDerived(raw.value)
    if (Result.isFailure(decoded) || decoded.success.jobId.toLowerCase() !== job.id) return []
    const derived = decoded.success
    if (derived.kind === "end") {
      ended = true
      return []
    }
    const event = derived.completion
    if (ended || event.tenant !== job.tenant || !campaign?.fulfillments.includes(event.fulfillmentId.toLowerCase())) return []
    return [consumedOf(raw, event)]
  })
  return { events, ended }
}

/**
 * One fetched batch of `backfill-fulfillment` in the derived phase, in one transaction: the job's
 * derived completions credited as its `fulfillment` events are, the partition's offset moved
 * past the batch; the derivation's end ends the phase.
 */
export const applyDerivedBatch = (tx: Sql, jobId: string, partition: number, messages: ReadonlyArray<RawMessage>) =>
  Effect.gen(function*() {
    const job = yield* lockJob(tx, jobId)
    if (!job || job.status === "done" || job.derivedDone) return { ...nothing, done: true }
    if (job.phase !== "derived") return nothing
    const range = job.derived?.find((p) => p.partition === partition)
    const last = messages[messages.length - 1]
    if (!range || !last || BigInt(last.offset) < BigInt(range.current)) return nothing
    const campaign = (yield* tenantRules(tx, job.tenant)).find((c) => c.rules.id === job.campaignId)?.rules
    const { events, ended } = derivedOf(job, campaign, range.current, messages)
    const emitted = yield* creditFresh(tx, job, campaign, events)
    const outboxId = yield* appendOutbox(tx, "campaign", emitted.messages)
    const done = yield* advanceDerived(tx, job, {
      partition,
      next: (BigInt(last.offset) + 1n).toString(),
      // A completion published twice (its outbox row sent again after a crash) counts once.
      eventsRead: emitted.fresh,
      completions: emitted.completions,
      rewards: emitted.rewards,
      points: D.toText(emitted.points),
      ended
    })
    return { emitted: emitted.messages, outboxId, done }
  })

/** The events moved through one campaign's rounds (their users locked), as the live actor moves them through all of a tenant's. */
const advanceOne = (tx: Sql, campaign: CampaignRules, consumed: ReadonlyArray<Consumed<FulfillmentEvent>>) =>
  Effect.gen(function*() {
    const campaignsOf: CampaignsOf = (tenant, fulfillmentId) => (tenant === campaign.tenant && campaign.fulfillments.includes(fulfillmentId) ? [campaign] : [])
    const moved = yield* moveThroughRounds(tx, consumed, consumed.map(doneOf), campaignsOf)
    const messages = moved.messages.map(({ cause: _cause, ...message }) => message)
    return {
      messages,
      completions: moved.completions.length,
      rewards: messages.length,
      points: moved.completions.reduce((sum, c) => D.add(sum, knownTotal(c.points)), D.zero)
    }
  })

/** The batch's refunds of the job's campaign: of its tenant, of one of its fulfillments, inside the job's range of the partition. */
const refundsIn = (job: Backfill, campaign: CampaignRules | undefined, range: { current: string; end: string }, messages: ReadonlyArray<RawMessage>) =>
  messages.flatMap((raw): Array<HeldRevocation> => {
    const offset = BigInt(raw.offset)
    if (!campaign || offset < BigInt(range.current) || offset >= BigInt(range.end)) return []
    const decoded = decodeRevoked(raw.value)
    if (Result.isFailure(decoded)) return []
    const event = decoded.success
    return event.tenant === job.tenant && campaign.fulfillments.includes(event.fulfillmentId.toLowerCase()) ? [{ eventId: event.eventId, event }] : []
  })

/**
 * One fetched batch of `fulfillment-revoked` in the refunds phase, in one transaction: the job
 * locked, the refunds of its campaign kept, the partition's offset moved past the batch. Nothing
 * is credited or taken back here: the refunds only change how the purchases are judged after.
 */
export const applyRefundsBatch = (tx: Sql, jobId: string, partition: number, messages: ReadonlyArray<RawMessage>) =>
  Effect.gen(function*() {
    const job = yield* lockJob(tx, jobId)
    if (!job || job.status === "done" || job.phase !== "refunds") return { done: true }
    const range = job.refunds?.find((p) => p.partition === partition)
    const last = messages[messages.length - 1]
    if (!range || !last || BigInt(range.current) >= BigInt(range.end) || BigInt(last.offset) < BigInt(range.current)) return { done: false }
    const campaign = (yield* tenantRules(tx, job.tenant)).find((c) => c.rules.id === job.campaignId)?.rules
    const refunds = refundsIn(job, campaign, range, messages)
    yield* keepRefunds(tx, job, refunds)
    return { done: yield* advanceRefunds(tx, job, { partition, next: nextAfter(range, last.offset), read: refunds.length }) }
  })
