import type { ImportFormat } from "../imports/records.ts"
import { HttpRefusal } from "./refusal.ts"

/**
 * The only routes whose body is not JSON: the imports, which take CSV or NDJSON as it streams in
 * (never buffered whole) under a cap of their own (`LOYALTEA_IMPORT_MAX_BYTES`). The JSON parser
 * and the 1 MiB body limit leave exactly these alone.
 */
export const uploadRoutes: ReadonlySet<string> = new Set(["/imports/opening-balances", "/imports/purchases"])

export const isUpload = (request: Request) => request.method === "POST" && uploadRoutes.has(new URL(request.url).pathname)

const formats: Record<string, ImportFormat> = { "text/csv": "csv", "application/x-ndjson": "ndjson" }

/** The import format of a media type (`text/csv; charset=utf-8`), if it is one. */
export const uploadFormatOf = (contentType: string | null | undefined): ImportFormat | undefined =>
  formats[(contentType ?? "").split(";")[0]!.trim().toLowerCase()]

export const unsupportedUpload = () =>
  new HttpRefusal(415, { error: "UnsupportedMediaType", message: "an import body must be text/csv or application/x-ndjson" })
