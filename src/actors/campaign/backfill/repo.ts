import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { isoTime } from "../../../db/rows.ts"
import type { Backfill, BackfillPartition, BackfillStep } from "./model.ts"

interface JobRow {
  readonly id: string
  readonly tenant: string
  readonly campaign_id: string
  readonly from: string
  readonly status: "running" | "done"
  readonly partitions: string
  readonly events_read: string
  readonly members_completed: string
  readonly rewards_granted: string
  readonly points_granted: string
  readonly created_at: string
  readonly finished_at: string | null
}

/** Offsets read of those to read, to two places; a job with nothing to read is complete. */
export const percentOf = (partitions: ReadonlyArray<BackfillPartition>) => {
  const total = partitions.reduce((n, p) => n + (BigInt(p.end) - BigInt(p.start)), 0n)
  const read = partitions.reduce((n, p) => n + (BigInt(p.current) - BigInt(p.start)), 0n)
  return total === 0n ? 100 : Number((read * 10_000n) / total) / 100
}

const jobOf = (row: JobRow): Backfill => {
  const partitions = JSON.parse(row.partitions) as Array<BackfillPartition>
  return {
  id: row.id,
  tenant: row.tenant,
  campaignId: row.campaign_id,
  from: row.from,
  status: row.status,
  partitions,
  percent: percentOf(partitions),
  eventsRead: Number(row.events_read),
  membersCompleted: Number(row.members_completed),
  rewardsGranted: Number(row.rewards_granted),
  pointsGranted: Number(row.points_granted),
  createdAt: row.created_at,
  finishedAt: row.finished_at
  }
}

const columns = (sql: Sql) => sql`
  id::text as id, tenant, campaign_id::text as campaign_id, ${isoTime(sql, "from_time")} as "from", status, partitions::text as partitions,
  events_read::text as events_read, members_completed::text as members_completed, rewards_granted::text as rewards_granted,
  points_granted::text as points_granted, ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "finished_at")} as finished_at`

const allRead = (partitions: ReadonlyArray<BackfillPartition>) => partitions.every((p) => BigInt(p.current) >= BigInt(p.end))

/**
 * The campaign's job: created with these offsets unless one exists already, which is returned
 * as it is (a second request starts nothing and so grants nothing twice). `created` tells which.
 */
export const startJob = (sql: Sql, job: { id: string; tenant: string; campaignId: string; from: string; partitions: ReadonlyArray<BackfillPartition> }) =>
  exec(() => sql<Array<{ id: string }>>`
    insert into campaign.backfills (id, tenant, campaign_id, from_time, status, partitions, finished_at)
    values (${job.id}::uuid, ${job.tenant}, ${job.campaignId}::uuid, ${job.from}::timestamptz,
            ${allRead(job.partitions) ? "done" : "running"}, ${JSON.stringify(job.partitions)}::text::jsonb,
            ${allRead(job.partitions) ? sql`now()` : null})
    on conflict (tenant, campaign_id) do nothing
    returning id::text as id`).pipe(
    Effect.flatMap((added) => findJob(sql, job.tenant, job.campaignId).pipe(Effect.map((found) => (found ? { job: found, created: added.length > 0 } : undefined))))
  )

/** A campaign's job, if it has one (the caller has checked the campaign is in scope). */
export const findJob = (sql: Sql, tenant: string, campaignId: string) =>
  exec(() => sql<Array<JobRow>>`select ${columns(sql)} from campaign.backfills where tenant = ${tenant} and campaign_id = ${campaignId}::uuid`).pipe(
    Effect.map((rows) => (rows[0] ? jobOf(rows[0]) : undefined))
  )

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

/** Moves one partition's offset past a batch and adds its counts; the job is done once every partition reached its end. */
export const advanceJob = (tx: Sql, job: Backfill, step: BackfillStep) => {
  const partitions = job.partitions.map((p) => (p.partition === step.partition ? { ...p, current: step.next } : p))
  const done = allRead(partitions)
  return exec(() => tx`
    update campaign.backfills
    set partitions = ${JSON.stringify(partitions)}::text::jsonb, events_read = events_read + ${step.eventsRead},
        members_completed = members_completed + ${step.completions}, rewards_granted = rewards_granted + ${step.rewards},
        points_granted = points_granted + ${step.points}::numeric, status = ${done ? "done" : "running"},
        finished_at = ${done ? tx`now()` : null}, updated_at = now()
    where id = ${job.id}::uuid`).pipe(Effect.as(done))
}
