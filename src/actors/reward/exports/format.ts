/** How an export is written: CSV (RFC 4180, a header line) or NDJSON (one JSON object per line). */
export type ExportFormat = "csv" | "ndjson"

export const contentTypeOf: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8"
}

// A cell with a separator, a quote or a line break is quoted, its quotes doubled (RFC 4180).
const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  const text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Encodes rows of one shape: `head()` once (the CSV header; nothing for NDJSON), then `row()` per row. */
export const encoder = <Row extends Record<string, unknown>>(format: ExportFormat, columns: ReadonlyArray<keyof Row & string>) => ({
  head: (): string => (format === "csv" ? `${columns.join(",")}\r\n` : ""),
  row: (row: Row): string =>
    format === "csv"
      ? `${columns.map((column) => csvCell(row[column])).join(",")}\r\n`
      : `${JSON.stringify(Object.fromEntries(columns.map((column) => [column, row[column] ?? null])))}\n`
})
