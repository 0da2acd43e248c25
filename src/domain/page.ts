/**
 * Keyset pagination: a page of items and the cursor to continue after its last one. A cursor is
 * opaque to the caller: it encodes the sort key of the last item of a page, so a page never repeats
 * or skips an item when rows are added or removed between two requests (as an offset would). The
 * query that reads it is still scoped by tenant, so a cursor forged from another tenant's keys
 * shows nothing of that tenant.
 */

const maxKeys = 4
const encodedPattern = /^[A-Za-z0-9_-]{2,400}$/

/** Encodes the sort key of a page's last item. */
export const encodeCursor = (keys: ReadonlyArray<string>): string => Buffer.from(JSON.stringify(keys), "utf8").toString("base64url")

/** The sort key a cursor holds, or undefined when the text is no cursor of this API. */
export const decodeCursor = (text: string): ReadonlyArray<string> | undefined => {
  if (!encodedPattern.test(text)) return undefined
  try {
    const keys: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"))
    return Array.isArray(keys) && keys.length > 0 && keys.length <= maxKeys && keys.every((key) => typeof key === "string" && key.length <= 200)
      ? keys
      : undefined
  } catch {
    return undefined
  }
}

export interface PageRequest {
  readonly limit: number
  /** The decoded sort key to continue after, when this is not the first page. */
  readonly after: ReadonlyArray<string> | undefined
}

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: string | null
}

/**
 * Cuts a page from rows read with `limit + 1` (the extra row only says there is more) and makes
 * the cursor from the last item kept.
 */
export const pageFrom = <A>(rows: ReadonlyArray<A>, limit: number, keyOf: (item: A) => ReadonlyArray<string>): Page<A> => {
  const items = rows.slice(0, limit)
  const more = rows.length > limit && items.length > 0
  return { items, nextCursor: more ? encodeCursor(keyOf(items[items.length - 1]!)) : null }
}
