import { Result } from "effect"
import { parseJson } from "../platform/bounded-json.ts"

/** How an import's rows are written: CSV (RFC 4180, a header line) or NDJSON (one JSON object per line). */
export type ImportFormat = "csv" | "ndjson"

/** A record as read, before any schema: its cells by column (CSV) or its object (NDJSON), or why it is no record. */
export type RawRecord =
  | { readonly line: number; readonly values: ReadonlyArray<string> | Record<string, unknown> }
  | { readonly line: number; readonly refused: string }

/**
 * The longest record kept: past it the record is refused and skipped to its end, so an unclosed
 * quote or a line without an end costs no more memory than this.
 */
export const maxRecordChars = 64 * 1024

/**
 * RFC 4180 records from text that arrives in pieces: quoted cells may hold separators, quotes
 * (doubled) and line breaks; a record ends at CRLF or LF outside quotes. `line` is the physical
 * line a record starts on (the header is line 1). Only the record being read is held.
 */
export const csvRecords = () => {
  let cells: Array<string> = []
  let cell = ""
  let quoted = false
  let afterQuote = false
  let pendingCR = false
  let size = 0
  let tooLong = false
  let malformed: string | undefined
  let line = 1
  let startLine = 1
  let empty = true

  const finish = (out: Array<RawRecord>) => {
    if (!(empty && cells.length === 0 && cell === "")) {
      cells.push(cell)
      out.push(tooLong ? { line: startLine, refused: `the record is longer than ${maxRecordChars} characters` }
        : malformed !== undefined ? { line: startLine, refused: malformed }
        : { line: startLine, values: cells })
    }
    cells = []
    cell = ""
    quoted = false
    afterQuote = false
    size = 0
    tooLong = false
    malformed = undefined
    empty = true
    startLine = line
  }

  const atRecordStart = () => empty && cells.length === 0 && cell === "" && !quoted && !afterQuote && size === 0

  const push = (text: string, out: Array<RawRecord>) => {
    for (let i = 0; i < text.length; i++) {
      if (pendingCR) {
        pendingCR = false
        if (text[i] === "\n") continue
      }
      // Most lines hold no quote: whole, they are split at once (the same records as the loop below makes).
      if (atRecordStart()) {
        const end = text.indexOf("\n", i)
        if (end >= 0 && end - i <= maxRecordChars) {
          const whole = text.charCodeAt(end - 1) === 13 && end > i ? text.slice(i, end - 1) : text.slice(i, end)
          if (!whole.includes('"') && !whole.includes("\r")) {
            if (whole !== "") out.push({ line, values: whole.split(",") })
            line++
            startLine = line
            i = end
            continue
          }
        }
      }
      const c = text[i]!
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') (i++, (cell += tooLong ? "" : '"'))
          else if (i + 1 === text.length) {
            // A quote at the end of a piece: whether it is doubled is known with the next piece.
            quoted = false
            afterQuote = true
          } else (quoted = false, (afterQuote = true))
          continue
        }
        if (c === "\n") line++
        if (++size > maxRecordChars) tooLong = true
        else cell += c
        continue
      }
      if (afterQuote && c === '"') {
        // The second quote of a pair split across pieces.
        quoted = true
        afterQuote = false
        cell += tooLong ? "" : '"'
        continue
      }
      if (c === ",") {
        cells.push(cell)
        cell = ""
        afterQuote = false
        empty = false
        continue
      }
      if (c === "\r" || c === "\n") {
        line++
        pendingCR = c === "\r"
        finish(out)
        continue
      }
      if (c === '"' && cell === "" && !afterQuote) {
        quoted = true
        empty = false
        continue
      }
      if (afterQuote) malformed ??= "a quoted cell is followed by text before its separator"
      else if (c === '"') malformed ??= "a quote inside an unquoted cell (quote the whole cell and double the quote)"
      empty = false
      if (++size > maxRecordChars) tooLong = true
      else cell += c
    }
  }

  return {
    /** The records completed by this piece of text. */
    push: (text: string): Array<RawRecord> => {
      const out: Array<RawRecord> = []
      push(text, out)
      return out
    },
    /** The last record, when the text does not end with a line break. */
    end: (): Array<RawRecord> => {
      const out: Array<RawRecord> = []
      if (quoted) malformed = "a quoted cell is not closed before the end of the body"
      finish(out)
      return out
    }
  }
}

/** NDJSON records from text that arrives in pieces: one JSON object per line; blank lines are skipped. */
export const ndjsonRecords = () => {
  let current = ""
  let tooLong = false
  let line = 1

  const record = (text: string): RawRecord | undefined => {
    const at = line++
    if (tooLong) return { line: at, refused: `the line is longer than ${maxRecordChars} characters` }
    const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text
    if (trimmed.trim() === "") return undefined
    const parsed = parseJson(trimmed)
    if (Result.isFailure(parsed)) return { line: at, refused: parsed.failure._tag === "TooDeep" ? "the line nests too deeply" : "the line is not valid JSON" }
    const value = parsed.success
    if (value === null || typeof value !== "object" || Array.isArray(value)) return { line: at, refused: "the line is not a JSON object" }
    return { line: at, values: value as Record<string, unknown> }
  }

  const take = (out: Array<RawRecord>) => {
    const r = record(current)
    if (r) out.push(r)
    current = ""
    tooLong = false
  }

  return {
    push: (text: string): Array<RawRecord> => {
      const out: Array<RawRecord> = []
      let from = 0
      for (;;) {
        const end = text.indexOf("\n", from)
        const piece = text.slice(from, end < 0 ? text.length : end)
        if (!tooLong) {
          if (current.length + piece.length > maxRecordChars) (tooLong = true, (current = ""))
          else current += piece
        }
        if (end < 0) break
        take(out)
        from = end + 1
      }
      return out
    },
    end: (): Array<RawRecord> => {
      const out: Array<RawRecord> = []
      if (current !== "" || tooLong) take(out)
      return out
    }
  }
}

export const recordsOf = (format: ImportFormat) => (format === "csv" ? csvRecords() : ndjsonRecords())
