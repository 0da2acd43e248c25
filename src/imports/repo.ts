import { Effect, Schema } from "effect"
import { exec, type Sql } from "../db/database.ts"
import { decodeRows, isoTime } from "../db/rows.ts"
import { type ImportJob, ImportKind, ImportRefusal, type ImportRefusal as Refusal, ImportStopped, reportRefusals } from "./model.ts"

/** The service whose schema holds the import tables: opening balances in reward's, purchases in fulfillment's. */
export type ImportSchema = "reward" | "fulfillment"

/** Who started an import. */
export interface Starter {
  readonly kind: "operator" | "api-key"
  readonly id: string
}

const JobRow = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  kind: ImportKind,
  status: Schema.Literals(["running", "finished", "failed"]),
  read: Schema.Number,
  applied: Schema.Number,
  duplicates: Schema.Number,
  refused: Schema.Number,
  started_by_kind: Schema.NullOr(Schema.Literals(["operator", "api-key"])),
  started_by_id: Schema.NullOr(Schema.String),
  startedAt: Schema.String,
  finishedAt: Schema.NullOr(Schema.String),
  failure: Schema.NullOr(Schema.String)
})
const decodeJobs = decodeRows(JobRow)
const decodeRefusals = decodeRows(ImportRefusal)

const table = (sql: Sql, schema: ImportSchema, name: "imports" | "import_refusals") => sql(`${schema}.${name}`)

const toJob = (row: typeof JobRow.Type): ImportJob => {
  const { started_by_id, started_by_kind, ...rest } = row
  return { ...rest, startedBy: started_by_kind === null || started_by_id === null ? null : { kind: started_by_kind, id: started_by_id } }
}

/**
 * A new job, or the same id's unfinished job of this tenant and kind started over (a re-post after
 * a crash or a dropped upload): its counts and refusals cleared, since the body is read again from
 * its start. `taken` when the id is taken (finished, or another tenant's or kind's); `running`
 * when that job is still running (touched within `staleSeconds`: another upload of it is being
 * applied, and two runs of one job would mix their counts).
 */
export const startJob = (
  tx: Sql,
  schema: ImportSchema,
  job: { readonly id: string; readonly tenant: string; readonly kind: ImportKind; readonly startedBy: Starter | null },
  staleSeconds: number
) =>
  Effect.gen(function*() {
    const started = yield* exec(() => tx`
      insert into ${table(tx, schema, "imports")} as j (id, tenant, kind, started_by_kind, started_by_id)
      values (${job.id}, ${job.tenant}, ${job.kind}, ${job.startedBy?.kind ?? null}, ${job.startedBy?.id ?? null})
      on conflict (id) do update set status = 'running', rows_read = 0, rows_applied = 0, rows_duplicate = 0, rows_refused = 0, failure = null,
        started_by_kind = excluded.started_by_kind, started_by_id = excluded.started_by_id, started_at = now(), updated_at = now(), finished_at = null
      where j.tenant = excluded.tenant and j.kind = excluded.kind and j.status <> 'finished'
        and (j.status <> 'running' or j.updated_at < now() - make_interval(secs => ${staleSeconds}))
      returning id`)
    if (started.length === 0) {
      const found = yield* exec(() => tx<Array<{ status: string }>>`
        select status from ${table(tx, schema, "imports")} where id = ${job.id} and tenant = ${job.tenant} and kind = ${job.kind}`)
      return found[0]?.status === "running" ? "running" as const : "taken" as const
    }
    yield* exec(() => tx`delete from ${table(tx, schema, "import_refusals")} where import_id = ${job.id}`)
    return "started" as const
  })

/** What one batch did, recorded in the batch's own transaction. */
export interface BatchCounts {
  readonly read: number
  readonly applied: number
  readonly duplicates: number
  readonly refusals: ReadonlyArray<Refusal>
}

/**
 * Adds a batch's counts to its job and stores its refusals (one statement each), in the caller's
 * transaction. A job no longer `running` (swept as stopped while this process was stalled) takes
 * no more batches: the batch is rolled back and the run ends, so a re-post is the only run left.
 */
export const recordBatch = (tx: Sql, schema: ImportSchema, job: { readonly id: string; readonly tenant: string }, counts: BatchCounts) =>
  Effect.gen(function*() {
    const { id, tenant } = job
    const { refusals } = counts
    if (refusals.length > 0) {
      yield* exec(() => tx`
        insert into ${table(tx, schema, "import_refusals")} (import_id, line, field, reason)
        select ${id}, * from unnest(${refusals.map((r) => r.line)}::bigint[], ${refusals.map((r) => r.field)}::text[], ${refusals.map((r) => r.reason)}::text[])`)
    }
    const updated = yield* exec(() => tx`
      update ${table(tx, schema, "imports")} set rows_read = rows_read + ${counts.read}, rows_applied = rows_applied + ${counts.applied},
        rows_duplicate = rows_duplicate + ${counts.duplicates}, rows_refused = rows_refused + ${refusals.length}, updated_at = now()
      where tenant = ${tenant} and id = ${id} and status = 'running'
      returning 1`)
    if (updated.length === 0) return yield* new ImportStopped({ reason: "the import was marked failed while it ran (no sign of its process within the stale horizon); post the body again with the same ?id= to finish it" })
  })

/** Marks the running job alive (its heartbeat); a job that is not running is left as it is. */
export const touchJob = (sql: Sql, schema: ImportSchema, tenant: string, id: string) =>
  exec(() => sql`update ${table(sql, schema, "imports")} set updated_at = now() where tenant = ${tenant} and id = ${id} and status = 'running'`).pipe(Effect.asVoid)

/**
 * Marks `failed`, with `failure`, the running jobs whose row has not been touched for `staleSeconds`
 * (their process is gone: a live one touches it every few seconds), and says which. A job whose
 * batch is being committed right now is alive and skipped, not waited for.
 */
export const sweepStaleJobs = (sql: Sql, schema: ImportSchema, staleSeconds: number, failure: string) =>
  exec(() => sql<Array<{ id: string; tenant: string }>>`
    update ${table(sql, schema, "imports")} j set status = 'failed', failure = ${failure}, finished_at = now(), updated_at = now()
    from (select id, tenant from ${table(sql, schema, "imports")}
          where status = 'running' and updated_at < now() - make_interval(secs => ${staleSeconds})
          limit 1000 for update skip locked) stale
    where j.tenant = stale.tenant and j.id = stale.id and j.status = 'running'
    returning j.id::text as id, j.tenant`).pipe(Effect.map((rows) => rows.map(({ id, tenant }) => ({ id, tenant }))))

export const endJob = (sql: Sql, schema: ImportSchema, id: string, status: "finished" | "failed", failure: string | null) =>
  exec(() => sql`
    update ${table(sql, schema, "imports")} set status = ${status}, failure = ${failure}, finished_at = now(), updated_at = now()
    where id = ${id} and status = 'running'`).pipe(Effect.asVoid)

/** The tenant's import, or none (another tenant's is none too). */
export const jobOf = (sql: Sql, schema: ImportSchema, tenant: string, id: string) =>
  exec(() => sql`
    select id::text as id, tenant, kind, status, rows_read::float8 as read, rows_applied::float8 as applied, rows_duplicate::float8 as duplicates,
           rows_refused::float8 as refused, started_by_kind, started_by_id, ${isoTime(sql, "started_at")} as "startedAt",
           case when finished_at is null then null else ${isoTime(sql, "finished_at")} end as "finishedAt", failure
    from ${table(sql, schema, "imports")} where tenant = ${tenant} and id = ${id}::uuid`).pipe(
    Effect.flatMap(decodeJobs),
    Effect.map((rows) => (rows[0] === undefined ? undefined : toJob(rows[0])))
  )

/** The import's refusals after line `afterLine`, by line; `limit + 1` rows for the page cut. */
export const refusalsOf = (sql: Sql, schema: ImportSchema, tenant: string, id: string, afterLine: number, limit: number) =>
  exec(() => sql`
    select r.line::float8 as line, r.field, r.reason
    from ${table(sql, schema, "import_refusals")} r join ${table(sql, schema, "imports")} j on j.id = r.import_id and j.tenant = ${tenant}
    where r.import_id = ${id}::uuid and r.line > ${afterLine} order by r.line limit ${limit}`).pipe(Effect.flatMap(decodeRefusals))

export const firstRefusals = (sql: Sql, schema: ImportSchema, tenant: string, id: string) => refusalsOf(sql, schema, tenant, id, 0, reportRefusals)
