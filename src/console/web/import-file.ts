/** What the console imports, and where each goes: opening balances to the reward service, purchases to fulfillment. */
export const importKinds = {
  "opening-balances": { label: "opening balances", service: "reward", columns: "userId, points[, occurredAt][, reason]" },
  purchases: { label: "purchases", service: "fulfillment", columns: "userId, amount, occurredAt, eventId or orderId[, product][, currency]" }
} as const
export type ImportKind = keyof typeof importKinds

/** The media type an import is sent as, by the file's extension (browsers give no type for `.ndjson`). */
export const mediaTypeOf = (fileName: string): "text/csv" | "application/x-ndjson" | undefined => {
  const extension = fileName.toLowerCase().split(".").pop()
  if (extension === "csv") return "text/csv"
  if (extension === "ndjson" || extension === "jsonl") return "application/x-ndjson"
  return undefined
}

/**
 * A new import id (a v4 UUID). `crypto.randomUUID` exists only in a secure context; a console
 * served over plain HTTP on another host than localhost builds one from random bytes.
 */
export const newImportId = (): string => {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
