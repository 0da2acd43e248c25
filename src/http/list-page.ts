import { Schema } from "effect"
import { decodeCursor, encodeCursor, type PageRequest } from "../domain/page.ts"
import { WellFormedString } from "../domain/primitives.ts"
import { LimitQuery } from "./params.ts"

/**
 * The one list envelope of the routes added after the original API: `{ items, nextCursor }`, with
 * `?limit=&cursor=` (keyset pagination, src/domain/page.ts). The original routes keep their bodies.
 */

/** What each part of a route's sort key is, so a cursor of another route (or a forged one) is refused as input. */
export type KeyPart = "time" | "uuid" | "id"

const partPatterns: Record<KeyPart, RegExp> = {
  time: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  id: /^\d{1,18}$/
}

const partExamples: Record<KeyPart, string> = {
  time: "2026-11-30T09:12:00.000Z",
  uuid: "8d6f2a7e-3c1b-4f7a-9a51-2f0c9e4b7d13",
  id: "42"
}

const fits = (keys: ReadonlyArray<string>, shape: ReadonlyArray<KeyPart>) =>
  keys.length === shape.length && keys.every((key, i) => partPatterns[shape[i]!].test(key) && (shape[i] !== "time" || !Number.isNaN(Date.parse(key))))

/** A route's cursor: the `nextCursor` of one of its own answers. */
export const Cursor = (shape: ReadonlyArray<KeyPart>) =>
  WellFormedString.check(
    Schema.makeFilter((text: string) => {
      const keys = decodeCursor(text)
      return (keys !== undefined && fits(keys, shape)) || "must be the nextCursor of an earlier answer of this route"
    }, { toJsonSchema: () => ({ type: "string" }) })
  ).annotate({ description: "The `nextCursor` of the previous page; absent for the first page", examples: [encodeCursor(shape.map((part) => partExamples[part]))] })

/** `?limit=&cursor=` for a route with the list envelope, whose items sort by a key of this shape. */
export const CursorQuery = (shape: ReadonlyArray<KeyPart>) => ({
  ...LimitQuery,
  cursor: Schema.optionalKey(Cursor(shape))
})

export const pageRequest = (query: { readonly limit?: number; readonly cursor?: string }): PageRequest => ({
  limit: query.limit ?? 100,
  after: query.cursor === undefined ? undefined : decodeCursor(query.cursor)
})

/** The envelope's schema for items of one kind. */
export const ListPage = <S extends Schema.Top>(item: S) =>
  Schema.Struct({
    items: Schema.Array(item),
    nextCursor: Schema.NullOr(Schema.String).annotate({
      description: "Pass it as `cursor` for the next page; null on the last page"
    })
  })
