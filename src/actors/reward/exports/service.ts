import { Context, Effect, Layer } from "effect"
import { Database } from "../../../db/database.ts"
import type { DatabaseError } from "../../../db/errors.ts"
import { encoder, type ExportFormat } from "./format.ts"
import { balanceColumns, balancePage, type BalanceExportRow, ledgerColumns, ledgerPage, type LedgerExportRow, type Period } from "./repo.ts"

// Rows per statement: large enough for few round trips, small enough to keep memory flat.
const pageSize = 2000

/**
 * A byte stream pulled page by page: the next page is read only when the client has taken the
 * previous one, so memory stays flat whatever the export's size and a slow client slows the
 * reads instead of filling a buffer. A failure mid-way ends the stream with an error (the client
 * sees a cut answer, never a silently short one).
 */
const paged = <Row extends Record<string, unknown>, Key>(
  format: ExportFormat,
  columns: ReadonlyArray<keyof Row & string>,
  first: Key,
  page: (after: Key) => Effect.Effect<ReadonlyArray<Row>, DatabaseError>,
  keyOf: (row: Row) => Key
): ReadableStream<Uint8Array> => {
  const encode = encoder<Row>(format, columns)
  const bytes = new TextEncoder()
  let after = first
  let started = false
  let done = false
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (done) return controller.close()
      const rows = await Effect.runPromise(page(after))
      let text = started ? "" : encode.head()
      started = true
      for (const row of rows) text += encode.row(row)
      if (rows.length < pageSize) done = true
      else after = keyOf(rows[rows.length - 1]!)
      if (text.length > 0) controller.enqueue(bytes.encode(text))
      if (done) controller.close()
    }
  }, { highWaterMark: 1 })
}

const make = Effect.gen(function*() {
  const db = yield* Database
  return {
    /** The tenant's ledger in the period (event time), oldest first. */
    ledger: (tenant: string, period: Period, format: ExportFormat) =>
      Effect.sync(() =>
        paged<LedgerExportRow, string>(format, ledgerColumns, "0", (after) => ledgerPage(db.sql, tenant, period, after, pageSize).pipe(Effect.provideService(Database, db)), (row) => row.id)
      ),
    /** The tenant's balances now, by user id. */
    balances: (tenant: string, format: ExportFormat) =>
      Effect.sync(() =>
        paged<BalanceExportRow, string | null>(format, balanceColumns, null, (after) => balancePage(db.sql, tenant, after, pageSize).pipe(Effect.provideService(Database, db)), (row) => row.userId)
      )
  }
})

/** Streamed exports of the ledger and the balances, per tenant. */
export class ExportUseCases extends Context.Service<ExportUseCases, Effect.Success<typeof make>>()("loyaltea/reward/ExportUseCases") {
  static readonly layer = Layer.effect(ExportUseCases, make)
}
