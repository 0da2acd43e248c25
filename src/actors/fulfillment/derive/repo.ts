import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { isoTime } from "../../../db/rows.ts"
import type { BackfillRequestEvent } from "../../../events/backfill-request.ts"
import type { OffsetRange } from "../../../kafka/offset-ranges.ts"

/** One partition of `buy` or `activity` a derivation reads. */
export interface TopicRange extends OffsetRange {
  readonly topic: string
}

/** The derivation of one campaign backfill job, as stored. */
export interface Derivation {
  readonly jobId: string
  readonly tenant: string
  readonly campaignId: string
  readonly fulfillmentIds: ReadonlyArray<string>
  readonly from: string
  readonly status: "running" | "done"
  /** Undefined until measured. */
  readonly ranges: ReadonlyArray<TopicRange> | undefined
  /** `<fulfillment id>/<topic>/<partition>` → the first offset the fulfillment judged live there (records before it are derived). Undefined until fixed. */
  readonly bounds: Readonly<Record<string, string>> | undefined
  readonly completions: number
}

interface DerivationRow {
  readonly job_id: string
  readonly tenant: string
  readonly campaign_id: string
  readonly fulfillment_ids: ReadonlyArray<string>
  readonly from: string
  readonly status: "running" | "done"
  readonly ranges: string | null
  readonly bounds: string | null
  readonly completions: string
}

const derivationOf = (row: DerivationRow): Derivation => ({
  jobId: row.job_id,
  tenant: row.tenant,
  campaignId: row.campaign_id,
  fulfillmentIds: row.fulfillment_ids,
  from: row.from,
  status: row.status,
  ranges: row.ranges === null ? undefined : (JSON.parse(row.ranges) as Array<TopicRange>),
  bounds: row.bounds === null ? undefined : (JSON.parse(row.bounds) as Record<string, string>),
  completions: Number(row.completions)
})

const columns = (sql: Sql) => sql`
  job_id::text as job_id, tenant, campaign_id::text as campaign_id, fulfillment_ids::text[] as fulfillment_ids,
  ${isoTime(sql, "from_time")} as "from", status, ranges::text as ranges, bounds::text as bounds, completions::text as completions`

/** A derivation per request, once: a request delivered again finds its job's row and adds nothing. */
export const addDerivations = (tx: Sql, requests: ReadonlyArray<BackfillRequestEvent>) =>
  requests.length === 0 ? Effect.void : exec(() => tx`
    insert into fulfillment.derivations (job_id, tenant, campaign_id, fulfillment_ids, from_time)
    select k.job_id, k.tenant, k.campaign_id, array(select jsonb_array_elements_text(k.ids::jsonb))::uuid[], k.from_time
    from unnest(${requests.map((r) => r.jobId)}::uuid[], ${requests.map((r) => r.tenant)}::text[], ${requests.map((r) => r.campaignId)}::uuid[],
                ${requests.map((r) => JSON.stringify(r.fulfillmentIds.map((id) => id.toLowerCase())))}::text[], ${requests.map((r) => r.from)}::timestamptz[])
      as k(job_id, tenant, campaign_id, ids, from_time)
    on conflict (job_id) do nothing`).pipe(Effect.asVoid)

/** The derivations still to finish, oldest first. */
export const runningDerivations = (sql: Sql) =>
  exec(() => sql<Array<DerivationRow>>`select ${columns(sql)} from fulfillment.derivations where status = 'running' order by created_at, job_id`).pipe(
    Effect.map((rows) => rows.map(derivationOf))
  )

/** The derivation locked until the batch's transaction ends: its offsets are what the batch goes on from. */
export const lockDerivation = (tx: Sql, jobId: string) =>
  exec(() => tx<Array<DerivationRow>>`select ${columns(tx)} from fulfillment.derivations where job_id = ${jobId}::uuid for update`).pipe(
    Effect.map((rows) => (rows[0] ? derivationOf(rows[0]) : undefined))
  )

/** Its ranges, set once: a derivation measured by an earlier run keeps them. */
export const setRanges = (sql: Sql, jobId: string, ranges: ReadonlyArray<TopicRange>) =>
  exec(() => sql`update fulfillment.derivations set ranges = ${JSON.stringify(ranges)}::text::jsonb, updated_at = now() where job_id = ${jobId}::uuid and ranges is null`)
    .pipe(Effect.asVoid)

/** Its bounds, set once. */
export const setBounds = (sql: Sql, jobId: string, bounds: Readonly<Record<string, string>>) =>
  exec(() => sql`update fulfillment.derivations set bounds = ${JSON.stringify(bounds)}::text::jsonb, updated_at = now() where job_id = ${jobId}::uuid and bounds is null`)
    .pipe(Effect.asVoid)

/**
 * Moves one partition's offset past a batch and adds its counts: `done` (and its progress
 * dropped) once every range is read, `topicDone` once every range of the batch's topic is.
 */
export const advanceDerivation = (tx: Sql, derivation: Derivation, step: { readonly topic: string; readonly partition: number; readonly next: string; readonly read: number; readonly completions: number }) => {
  const ranges = (derivation.ranges ?? []).map((r) => (r.topic === step.topic && r.partition === step.partition ? { ...r, current: step.next } : r))
  const done = ranges.every((r) => BigInt(r.current) >= BigInt(r.end))
  return exec(() => tx`
    update fulfillment.derivations
    set ranges = ${JSON.stringify(ranges)}::text::jsonb, events_read = events_read + ${step.read}, completions = completions + ${step.completions},
        status = ${done ? "done" : "running"}, finished_at = ${done ? tx`now()` : null}, updated_at = now()
    where job_id = ${derivation.jobId}::uuid`).pipe(
    Effect.andThen(done ? exec(() => tx`delete from fulfillment.derivation_progress where job_id = ${derivation.jobId}::uuid`) : Effect.void),
    Effect.as({ done, topicDone: ranges.every((r) => r.topic !== step.topic || BigInt(r.current) >= BigInt(r.end)) })
  )
}
