import { Effect } from "effect"
import { ImportBroken, ImportTooLarge } from "./model.ts"
import { type ImportFormat, type RawRecord, recordsOf } from "./records.ts"

/** Records pulled from a body a piece at a time: the next piece is read only once the last one's records are taken. */
export interface BodyRecords {
  /** The records of the next piece of the body (maybe none), or null at its end. */
  readonly next: Effect.Effect<ReadonlyArray<RawRecord> | null, ImportTooLarge | ImportBroken>
  /** Stops reading (the rest of the body is not wanted). */
  readonly cancel: Effect.Effect<void>
}

/**
 * A streamed body as records: UTF-8 (refused otherwise), at most `maxBytes` (refused past it,
 * without reading on), parsed as it arrives, so memory holds one piece and one record.
 */
export const bodyRecords = (body: ReadableStream<Uint8Array>, format: ImportFormat, maxBytes: number): BodyRecords => {
  const reader = body.getReader()
  const utf8 = new TextDecoder("utf-8", { fatal: true })
  const records = recordsOf(format)
  let bytes = 0
  let ended = false

  const read = async (): Promise<ReadonlyArray<RawRecord> | null> => {
    if (ended) return null
    const { done, value } = await reader.read()
    if (done) {
      ended = true
      return [...records.push(utf8.decode()), ...records.end()]
    }
    bytes += value.byteLength
    if (bytes > maxBytes) {
      // Not awaited: a body still arriving would hold the answer until its end.
      void reader.cancel().catch(() => undefined)
      throw new ImportTooLarge({ limit: maxBytes })
    }
    return records.push(utf8.decode(value, { stream: true }))
  }

  return {
    next: Effect.tryPromise({
      try: read,
      catch: (error) =>
        error instanceof ImportTooLarge ? error
        : error instanceof TypeError && /decode|utf-?8|encoding/i.test(error.message) ? new ImportBroken({ reason: "the body is not UTF-8 text" })
        : new ImportBroken({ reason: "the upload broke off before the end of the body" })
    }),
    cancel: Effect.sync(() => void reader.cancel().catch(() => undefined))
  }
}
