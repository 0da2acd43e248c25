import { Schema } from "effect"

export const ImportKind = Schema.Literals(["opening-balances", "purchases"])
export type ImportKind = typeof ImportKind.Type

export const ImportStatus = Schema.Literals(["running", "finished", "failed"]).annotate({
  description: "`running` while the body is read and applied, `finished` once all of it is, `failed` when the upload broke off or the process applying it stopped " +
    "(swept after `LOYALTEA_IMPORT_STALE_SECONDS` without its heartbeat; what was applied is kept, in whole batches, and `failure` says why)"
})

/** A row that was not applied: its line (the CSV header is line 1), the field at fault when there is one, and why. */
export const ImportRefusal = Schema.Struct({
  line: Schema.Number.annotate({ description: "The line the row starts on (the CSV header is line 1)" }),
  field: Schema.NullOr(Schema.String).annotate({ description: "The column or field at fault; null when the row as a whole is (bad CSV, not JSON)" }),
  reason: Schema.String
}).annotate({ identifier: "ImportRefusal", examples: [{ line: 3, field: "points", reason: "must be greater than 0" }] })
export type ImportRefusal = typeof ImportRefusal.Type

const fields = {
  id: Schema.String.annotate({ description: "The import's id (a UUID)" }),
  tenant: Schema.String,
  kind: ImportKind,
  status: ImportStatus,
  read: Schema.Number.annotate({ description: "Rows read so far" }),
  applied: Schema.Number.annotate({ description: "Rows that changed something" }),
  duplicates: Schema.Number.annotate({
    description: "Rows applied before, by an earlier import of the same data (purchases: an event id an import into the tenant sent already, in this file or an earlier one): counted, changed nothing"
  }),
  refused: Schema.Number.annotate({ description: "Rows refused, each with its line and reason" }),
  startedBy: Schema.NullOr(Schema.Struct({ kind: Schema.Literals(["operator", "api-key"]), id: Schema.String })),
  startedAt: Schema.String,
  finishedAt: Schema.NullOr(Schema.String),
  failure: Schema.NullOr(Schema.String).annotate({ description: "Why a failed import stopped" })
}

const jobExample = {
  id: "5b0d8c1e-2f4a-4c3b-9d6e-7a8b9c0d1e2f", tenant: "meiwei", kind: "opening-balances", status: "finished", read: 3, applied: 2, duplicates: 0, refused: 1,
  startedBy: { kind: "operator", id: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d" }, startedAt: "2026-03-01T09:30:00.000Z", finishedAt: "2026-03-01T09:30:02.000Z", failure: null
} as const

/** An import as `GET /imports/{id}` shows it, its counts moving while it runs. */
export const ImportJob = Schema.Struct(fields).annotate({ identifier: "ImportJob", examples: [jobExample] })
export type ImportJob = typeof ImportJob.Type

/** Refusals shown inline in the report; the rest are paged by `GET /imports/{id}/refusals`. */
export const reportRefusals = 100

/** The answer to an import: the job once the whole body is applied, with its first refusals. */
export const ImportReport = Schema.Struct({
  ...fields,
  refusals: Schema.Array(ImportRefusal).annotate({ description: `The first ${reportRefusals} refusals, by line` })
}).annotate({ identifier: "ImportReport", examples: [{ ...jobExample, refusals: [{ line: 3, field: "points", reason: "must be greater than 0" }] }] })
export type ImportReport = typeof ImportReport.Type

/** The body is larger than the import cap (`LOYALTEA_IMPORT_MAX_BYTES`). */
export class ImportTooLarge extends Schema.TaggedError<ImportTooLarge>()("ImportTooLarge", { limit: Schema.Number }) {
  override get message() {
    return `the import body is over ${this.limit} bytes`
  }
}

/** The body cannot be read as rows at all (not UTF-8) or broke off before its end. */
export class ImportBroken extends Schema.TaggedError<ImportBroken>()("ImportBroken", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}

/** The job stopped being `running` under a run still applying it (swept as stopped): the run ends there. */
export class ImportStopped extends Schema.TaggedError<ImportStopped>()("ImportStopped", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}

/** A re-post names a job still running: its process showed signs of life within the stale horizon. */
export class ImportRunning extends Schema.TaggedError<ImportRunning>()("ImportRunning", { id: Schema.String, staleSeconds: Schema.Number }) {
  override get message() {
    return `import ${this.id} is still running; post it again once it has ended, or once its process has shown no sign of life for ${this.staleSeconds} s (LOYALTEA_IMPORT_STALE_SECONDS)`
  }
}
