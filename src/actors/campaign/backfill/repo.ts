import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { isoTime } from "../../../db/rows.ts"
import type { PageRequest } from "../../../domain/page.ts"
import type { Backfill, BackfillPartition, BackfillStep } from "./model.ts"

interface JobRow {
  readonly id: string
  readonly tenant: string
  readonly campaign_id: string
  readonly from: string
  readonly status: "running" | "done"
  readonly partitions: string
  readonly revocation_partitions: string | null
  readonly revocations_read: string
  readonly derived_partitions: string | null
  readonly derived_read: string
  readonly derived_done: boolean
  readonly events_read: string
  readonly members_completed: string
  readonly rewards_granted: string
  readonly points_granted: string
  readonly created_at: string
  readonly finished_at: string | null
}

const span = (partitions: ReadonlyArray<BackfillPartition>) => ({
  total: partitions.reduce((n, p) => n + (BigInt(p.end) - BigInt(p.start)), 0n),
  read: partitions.reduce((n, p) => n + (BigInt(p.current) - BigInt(p.start)), 0n)
})

/** Offsets read of those to read in both topics, to two places; a job with nothing to read is complete. */
export const percentOf = (...topics: ReadonlyArray<ReadonlyArray<BackfillPartition>>) => {
  const spans = topics.map(span)
  const total = spans.reduce((n, s) => n + s.total, 0n)
  const read = spans.reduce((n, s) => n + s.read, 0n)
  return total === 0n ? 100 : Number((read * 10_000n) / total) / 100
}

const allRead = (partitions: ReadonlyArray<BackfillPartition>) => partitions.every((p) => BigInt(p.current) >= BigInt(p.end))

/**
 * A job as stored: `refunds` undefined while the refunds phase has not measured its range yet;
 * `derived` (where its derived completions start on `backfill-fulfillment`) undefined for a job
 * from before derivations, which ends with its `fulfillment` events.
 */
export interface StoredBackfill extends Backfill {
  readonly refunds: ReadonlyArray<BackfillPartition> | undefined
  readonly derived: ReadonlyArray<BackfillPartition> | undefined
  readonly derivedDone: boolean
}

/** The derived phase's partitions as read: from where the job asked, with no end but the derivation's own. */
export const unbounded = "9223372036854775807"

const jobOf = (row: JobRow): StoredBackfill => {
  const partitions = JSON.parse(row.partitions) as Array<BackfillPartition>
  const refunds = row.revocation_partitions === null ? undefined : (JSON.parse(row.revocation_partitions) as Array<BackfillPartition>)
  const derived = row.derived_partitions === null ? undefined : (JSON.parse(row.derived_partitions) as Array<BackfillPartition>)
  return {
    id: row.id,
    tenant: row.tenant,
    campaignId: row.campaign_id,
    from: row.from,
    status: row.status,
    phase: row.status === "done" ? "done" : refunds === undefined || !allRead(refunds) ? "refunds" : allRead(partitions) ? "derived" : "fulfillments",
    partitions,
    refundPartitions: refunds ?? [],
    derivedPartitions: derived ?? [],
    refunds,
    derived,
    derivedDone: row.derived_done,
    percent: row.status === "done" ? 100 : Math.min(99.99, percentOf(partitions, refunds ?? [])),
    refundsRead: Number(row.revocations_read),
    derivedRead: Number(row.derived_read),
    eventsRead: Number(row.events_read),
    membersCompleted: Number(row.members_completed),
    rewardsGranted: Number(row.rewards_granted),
    pointsGranted: Number(row.points_granted),
    createdAt: row.created_at,
    finishedAt: row.finished_at
  }
}

/** A job as the API shows it. */
export const shownJob = ({ refunds: _refunds, derived: _derived, derivedDone: _done, ...job }: StoredBackfill): Backfill => job

const columns = (sql: Sql) => sql`
  id::text as id, tenant, campaign_id::text as campaign_id, ${isoTime(sql, "from_time")} as "from", status, partitions::text as partitions,
  revocation_partitions::text as revocation_partitions, revocations_read::text as revocations_read,
  derived_partitions::text as derived_partitions, derived_read::text as derived_read, derived_done,
  events_read::text as events_read, members_completed::text as members_completed, rewards_granted::text as rewards_granted,
  points_granted::text as points_granted, ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "finished_at")} as finished_at`

/**
 * A job of the campaign, created with these offsets unless the campaign has one running, which
 * is returned as it is (a second request while one runs starts nothing). `created` tells which.
 * `derived`: the log's end of `backfill-fulfillment` before the job asks for its derivation.
 */
export const startJob = (sql: Sql, job: { id: string; tenant: string; campaignId: string; from: string; partitions: ReadonlyArray<BackfillPartition>; derived: ReadonlyArray<BackfillPartition> }) =>
  exec(() => sql<Array<{ id: string }>>`
    insert into campaign.backfills (id, tenant, campaign_id, from_time, status, partitions, derived_partitions)
    values (${job.id}::uuid, ${job.tenant}, ${job.campaignId}::uuid, ${job.from}::timestamptz, 'running',
            ${JSON.stringify(job.partitions)}::text::jsonb, ${JSON.stringify(job.derived)}::text::jsonb)
    on conflict (tenant, campaign_id) where status = 'running' do nothing
    returning id::text as id`).pipe(
    Effect.flatMap((added) =>
      (added[0] ? findJobById(sql, job.tenant, job.campaignId, added[0].id) : runningJobOf(sql, job.tenant, job.campaignId)).pipe(
        Effect.map((found) => (found ? { job: shownJob(found), created: added.length > 0 } : undefined))
      )
    )
  )

/** The campaign's running job, if it has one. */
export const runningJobOf = (sql: Sql, tenant: string, campaignId: string) =>
  exec(() => sql<Array<JobRow>>`
    select ${columns(sql)} from campaign.backfills where tenant = ${tenant} and campaign_id = ${campaignId}::uuid and status = 'running'`).pipe(
    Effect.map((rows) => (rows[0] ? jobOf(rows[0]) : undefined))
  )

/** The campaign's latest job, if it has one (the caller has checked the campaign is in scope). */
export const findJob = (sql: Sql, tenant: string, campaignId: string) =>
  exec(() => sql<Array<JobRow>>`
    select ${columns(sql)} from campaign.backfills where tenant = ${tenant} and campaign_id = ${campaignId}::uuid
    order by created_at desc, id desc limit 1`).pipe(
    Effect.map((rows) => (rows[0] ? jobOf(rows[0]) : undefined))
  )

/** One job of the campaign. */
export const findJobById = (sql: Sql, tenant: string, campaignId: string, id: string) =>
  exec(() => sql<Array<JobRow>>`
    select ${columns(sql)} from campaign.backfills where tenant = ${tenant} and campaign_id = ${campaignId}::uuid and id = ${id}::uuid`).pipe(
    Effect.map((rows) => (rows[0] ? jobOf(rows[0]) : undefined))
  )

/** The campaign's jobs, newest first, a page at a time (`after`: the created time and id of the last one shown). */
export const listJobs = (sql: Sql, tenant: string, campaignId: string, page: PageRequest) => {
  const after = page.after
  return exec(() => sql<Array<JobRow>>`
    select ${columns(sql)} from campaign.backfills
    where tenant = ${tenant} and campaign_id = ${campaignId}::uuid
      ${after ? sql`and (created_at, id) < (${after[0]!}::timestamptz, ${after[1]!}::uuid)` : sql``}
    order by created_at desc, id desc limit ${page.limit + 1}`).pipe(Effect.map((rows) => rows.map((row) => shownJob(jobOf(row)))))
}

/** The jobs still to finish, oldest first. */
export const runningJobs = (sql: Sql) =>
  exec(() => sql<Array<JobRow>>`select ${columns(sql)} from campaign.backfills where status = 'running' order by created_at, id`).pipe(
    Effect.map((rows) => rows.map(jobOf))
  )

/** The job locked until the batch's transaction ends: its offsets are what the batch goes on from. */
export const lockJob = (tx: Sql, id: string) =>
  exec(() => tx<Array<JobRow>>`select ${columns(tx)} from campaign.backfills where id = ${id}::uuid for update`).pipe(
    Effect.map((rows) => (rows[0] ? jobOf(rows[0]) : undefined))
  )

/** The refunds phase's range, set once: a job measured by an earlier run keeps its range. */
export const setRefundRange = (sql: Sql, id: string, partitions: ReadonlyArray<BackfillPartition>) =>
  exec(() => sql`
    update campaign.backfills set revocation_partitions = ${JSON.stringify(partitions)}::text::jsonb, updated_at = now()
    where id = ${id}::uuid and revocation_partitions is null`).pipe(Effect.asVoid)

/** Moves one refunds partition's offset past a batch and adds the refunds it kept. */
export const advanceRefunds = (tx: Sql, job: StoredBackfill, step: { readonly partition: number; readonly next: string; readonly read: number }) => {
  const partitions = (job.refunds ?? []).map((p) => (p.partition === step.partition ? { ...p, current: step.next } : p))
  return exec(() => tx`
    update campaign.backfills
    set revocation_partitions = ${JSON.stringify(partitions)}::text::jsonb, revocations_read = revocations_read + ${step.read}, updated_at = now()
    where id = ${job.id}::uuid`).pipe(Effect.as(allRead(partitions)))
}

/**
 * Moves one partition's offset past a batch and adds its counts; the job is done once every
 * partition reached its end and its derivation ended (a job from before derivations: once every
 * partition did), and its refunds are then no longer needed. Returns whether the phase is done.
 */
export const advanceJob = (tx: Sql, job: StoredBackfill, step: BackfillStep) => {
  const partitions = job.partitions.map((p) => (p.partition === step.partition ? { ...p, current: step.next } : p))
  const read = allRead(partitions)
  const done = read && (job.derived === undefined || job.derivedDone)
  return exec(() => tx`
    update campaign.backfills
    set partitions = ${JSON.stringify(partitions)}::text::jsonb, events_read = events_read + ${step.eventsRead},
        members_completed = members_completed + ${step.completions}, rewards_granted = rewards_granted + ${step.rewards},
        points_granted = points_granted + ${step.points}::numeric, status = ${done ? "done" : "running"},
        finished_at = ${done ? tx`now()` : null}, updated_at = now()
    where id = ${job.id}::uuid`).pipe(
    Effect.andThen(done ? exec(() => tx`delete from campaign.backfill_revocations where job_id = ${job.id}::uuid`) : Effect.void),
    Effect.as(read)
  )
}

/**
 * Moves one `backfill-fulfillment` partition's offset past a batch and adds its counts; `ended`
 * (the derivation's end was read) makes the derived phase done, and the job with it once its
 * `fulfillment` events are read too.
 */
export const advanceDerived = (tx: Sql, job: StoredBackfill, step: BackfillStep & { readonly ended: boolean }) => {
  const derived = (job.derived ?? []).map((p) => (p.partition === step.partition ? { ...p, current: step.next } : p))
  const derivedDone = job.derivedDone || step.ended
  const done = derivedDone && allRead(job.partitions)
  return exec(() => tx`
    update campaign.backfills
    set derived_partitions = ${JSON.stringify(derived)}::text::jsonb, derived_read = derived_read + ${step.eventsRead}, derived_done = ${derivedDone},
        members_completed = members_completed + ${step.completions}, rewards_granted = rewards_granted + ${step.rewards},
        points_granted = points_granted + ${step.points}::numeric, status = ${done ? "done" : "running"},
        finished_at = ${done ? tx`now()` : null}, updated_at = now()
    where id = ${job.id}::uuid`).pipe(
    Effect.andThen(done ? exec(() => tx`delete from campaign.backfill_revocations where job_id = ${job.id}::uuid`) : Effect.void),
    Effect.as(derivedDone)
  )
}
