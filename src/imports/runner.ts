import { Cause, Effect, Option, Result } from "effect"
import { Database, type Sql } from "../db/database.ts"
import type { DatabaseError } from "../db/errors.ts"
import { AlreadyExists, InvalidInput } from "../domain/errors.ts"
import type { FieldIssue } from "../domain/validation.ts"
import { bodyRecords } from "./body-records.ts"
import { heartbeatMillis, importStaleSeconds, whileBeating } from "./liveness.ts"
import { ImportBroken, type ImportKind, type ImportRefusal, type ImportReport, ImportRunning, ImportStopped, ImportTooLarge } from "./model.ts"
import type { ImportFormat, RawRecord } from "./records.ts"
import { endJob, firstRefusals, type ImportSchema, jobOf, recordBatch, type Starter, startJob, touchJob } from "./repo.ts"

/** Rows per batch: each batch is applied, with its job's counts, in one transaction. */
export const importBatchSize = 1000

/** A valid row with the line it starts on. */
export interface Numbered<Row> {
  readonly line: number
  readonly row: Row
}

/** What applying a batch's valid rows did. */
export interface Applied {
  readonly applied: number
  readonly duplicates: number
  /** Rows valid on their own that the data already there refuses (a different opening balance). */
  readonly refusals: ReadonlyArray<ImportRefusal>
}

/** Records a batch's counts and refusals; to be run inside the transaction that applies the batch. */
export type Commit = (tx: Sql, applied: Applied) => Effect.Effect<void, DatabaseError | ImportStopped>

/** How one kind of import reads and applies its rows. */
export interface ImportPlan<Row, E> {
  readonly kind: ImportKind
  readonly schema: ImportSchema
  /** CSV columns a header must have, and those it may have besides. */
  readonly required: ReadonlyArray<string>
  readonly optional: ReadonlyArray<string>
  /** A record's values (CSV cells by column, empty ones left out; an NDJSON object) as a row, or why not. */
  readonly decode: (values: Record<string, unknown>, format: ImportFormat) => Result.Result<Row, { readonly field: string | null; readonly reason: string }>
  /** Applies a batch of valid rows; `commit` must run in the same transaction as the batch's effects (or right after them). */
  readonly apply: (rows: ReadonlyArray<Numbered<Row>>, commit: Commit) => Effect.Effect<Applied, E | DatabaseError | ImportStopped>
}

/** A schema failure as a refusal: its first issue. */
export const refusalOf = (issues: ReadonlyArray<FieldIssue>) => ({ field: issues[0]?.field || null, reason: issues[0]?.message ?? "invalid" })

const headerOf = (record: RawRecord, plan: { readonly required: ReadonlyArray<string>; readonly optional: ReadonlyArray<string> }): Effect.Effect<ReadonlyArray<string>, InvalidInput> => {
  if ("refused" in record || !Array.isArray(record.values)) return Effect.fail(new InvalidInput({ field: "header", reason: "refused" in record ? record.refused : "missing" }))
  const columns = (record.values as ReadonlyArray<string>).map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, "") : name).trim())
  const known = [...plan.required, ...plan.optional]
  const unknown = columns.find((column) => !known.includes(column))
  if (unknown !== undefined) return Effect.fail(new InvalidInput({ field: unknown, reason: `unknown column; the columns are ${known.join(", ")}` }))
  const twice = columns.find((column, i) => columns.indexOf(column) !== i)
  if (twice !== undefined) return Effect.fail(new InvalidInput({ field: twice, reason: "the column is named twice" }))
  const missing = plan.required.find((column) => !columns.includes(column))
  if (missing !== undefined) return Effect.fail(new InvalidInput({ field: missing, reason: "required column missing from the header" }))
  return Effect.succeed(columns)
}

/**
 * Reads a body as rows and applies them a batch at a time: each batch's effects, its refusals and
 * its job's counts commit together, so an import that stops anywhere (the client gone, the process
 * killed) leaves whole batches, and the job says how far it got. Memory holds one batch; the
 * report's refusals are read back from the table.
 */
export const runImport = <Row, E>(
  plan: ImportPlan<Row, E>,
  job: { readonly id: string; readonly tenant: string; readonly startedBy: Starter | null },
  body: ReadableStream<Uint8Array>,
  format: ImportFormat,
  maxBytes: number,
  batchSize = importBatchSize
) =>
  Effect.gen(function*() {
    const db = yield* Database
    const source = bodyRecords(body, format, maxBytes)
    let pending: Array<RawRecord> = []
    let columns: ReadonlyArray<string> | undefined
    if (format === "csv") {
      while (columns === undefined) {
        const piece = yield* source.next
        if (piece === null) return yield* new InvalidInput({ field: "header", reason: "the body is empty: a CSV import starts with a header line" })
        if (piece.length === 0) continue
        columns = yield* headerOf(piece[0]!, plan).pipe(Effect.tapError(() => source.cancel))
        pending = piece.slice(1)
      }
    }
    const staleSeconds = yield* importStaleSeconds
    const started = yield* db.transaction((tx) => startJob(tx, plan.schema, { id: job.id, tenant: job.tenant, kind: plan.kind, startedBy: job.startedBy }, staleSeconds)).pipe(
      Effect.tapError(() => source.cancel)
    )
    if (started !== "started") {
      yield* source.cancel
      return yield* (started === "running" ? new ImportRunning({ id: job.id, staleSeconds }) : new AlreadyExists({ resource: "import", id: job.id }))
    }

    let rows: Array<Numbered<Row>> = []
    let refusals: Array<ImportRefusal> = []
    let read = 0
    const flush = Effect.gen(function*() {
      if (read === 0) return
      const batch = { rows, refusals, read }
      rows = []
      refusals = []
      read = 0
      const commit: Commit = (tx, applied) =>
        recordBatch(tx, plan.schema, job, { read: batch.read, applied: applied.applied, duplicates: applied.duplicates, refusals: [...batch.refusals, ...applied.refusals] })
      if (batch.rows.length === 0) yield* db.transaction((tx) => commit(tx, { applied: 0, duplicates: 0, refusals: [] }))
      else yield* plan.apply(batch.rows, commit)
    })
    const take = (record: RawRecord) => {
      read++
      if ("refused" in record) return void refusals.push({ line: record.line, field: null, reason: record.refused })
      let values: Record<string, unknown>
      if (Array.isArray(record.values)) {
        const cells = record.values as ReadonlyArray<string>
        if (cells.length !== columns!.length) return void refusals.push({ line: record.line, field: null, reason: `the row has ${cells.length} cells, the header ${columns!.length}` })
        values = {}
        for (let i = 0; i < cells.length; i++) if (cells[i] !== "") values[columns![i]!] = cells[i]
      } else values = record.values as Record<string, unknown>
      const decoded = plan.decode(values, format)
      if (Result.isSuccess(decoded)) rows.push({ line: record.line, row: decoded.success })
      else refusals.push({ line: record.line, ...decoded.failure })
    }

    const consume = Effect.gen(function*() {
      for (;;) {
        for (const record of pending) {
          take(record)
          if (read >= batchSize) yield* flush
        }
        const piece = yield* source.next
        if (piece === null) break
        pending = piece as Array<RawRecord>
      }
      yield* flush
    })
    // The job's row is touched while the run lasts, so that a job nobody applies any more (its
    // process killed) can be told from a slow one and swept as failed.
    const heartbeat = heartbeatMillis(yield* importStaleSeconds)
    // What broke off is not applied (its last row may be cut); the batches before it stay.
    yield* consume.pipe(
      whileBeating(touchJob(db.sql, plan.schema, job.tenant, job.id), heartbeat),
      Effect.onError((cause) => endJob(db.sql, plan.schema, job.id, "failed", failureOf(cause)).pipe(Effect.ignore))
    )
    yield* endJob(db.sql, plan.schema, job.id, "finished", null)
    const done = (yield* jobOf(db.sql, plan.schema, job.tenant, job.id))!
    return { ...done, refusals: yield* firstRefusals(db.sql, plan.schema, job.tenant, job.id) } satisfies ImportReport
  })

const failureOf = (cause: Cause.Cause<unknown>): string =>
  Option.match(Cause.findErrorOption(cause), {
    onNone: () => "the import was interrupted; what was applied is kept in whole batches",
    onSome: (error) =>
      error instanceof ImportBroken || error instanceof ImportTooLarge || error instanceof ImportStopped ? error.message : "the import stopped on an error; what was applied is kept in whole batches"
  })
