import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import type { FulfillmentRevokedEvent } from "../../../events/fulfillment-revoked.ts"
import type { HeldRevocation } from "../revocations/held-repo.ts"

/** For one job, or for every job running. */
type Jobs = { readonly id: string; readonly tenant: string } | "running"

const insertFor = (tx: Sql, jobs: Jobs, revocations: ReadonlyArray<HeldRevocation>) =>
  exec(() => tx`
    insert into campaign.backfill_revocations (job_id, tenant, fulfillment_event_id, event_id, event)
    select j.id, k.tenant, k.fe, k.id, k.event::jsonb
    from unnest(${revocations.map((r) => r.event.tenant)}::text[], ${revocations.map((r) => r.event.fulfillmentEventId)}::text[],
                ${revocations.map((r) => r.eventId)}::text[], ${revocations.map((r) => JSON.stringify(r.event))}::text[]) as k(tenant, fe, id, event)
    join ${jobs === "running" ? tx`(select id, tenant from campaign.backfills where status = 'running')` : tx`(select ${jobs.id}::uuid as id, ${jobs.tenant}::text as tenant)`} j
      on j.tenant = k.tenant
    on conflict do nothing`).pipe(Effect.asVoid)

/** The refunds a job read in its range (of its tenant only), kept for its fulfillment phase. */
export const keepRefunds = (tx: Sql, job: { readonly id: string; readonly tenant: string }, revocations: ReadonlyArray<HeldRevocation>) =>
  revocations.length === 0 ? Effect.void
  : insertFor(tx, job, revocations)

/**
 * The live consumer's revocations, kept for every job running in their tenant: a job still behind
 * the refunded purchase in its log then sees the refund when it gets there. One statement, which
 * writes nothing when no job runs.
 */
export const keepForRunningJobs = (tx: Sql, revocations: ReadonlyArray<HeldRevocation>) =>
  revocations.length === 0 ? Effect.void
  : insertFor(tx, "running", revocations)

/** The refunds the job knows of the fulfillment events `eventIds` of its tenant. */
export const refundsOf = (tx: Sql, job: { readonly id: string; readonly tenant: string }, eventIds: ReadonlyArray<string>) =>
  eventIds.length === 0 ? Effect.succeed([] as ReadonlyArray<HeldRevocation>)
  : exec(() => tx<Array<{ event_id: string; event: string }>>`
    select event_id, event::text as event from campaign.backfill_revocations
    where job_id = ${job.id}::uuid and tenant = ${job.tenant} and fulfillment_event_id = any(${eventIds as Array<string>}::text[])`).pipe(
    Effect.map((rows) => rows.map((r): HeldRevocation => ({ eventId: r.event_id, event: JSON.parse(r.event) as FulfillmentRevokedEvent })))
  )
