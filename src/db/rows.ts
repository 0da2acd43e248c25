import { Effect, Schema } from "effect"
import type { Sql } from "./database.ts"

/**
 * Rows come back in the shape of the domain schema (aliases, `::float8` for points within 15
 * significant digits, ISO text for times) and are decoded with that same schema. A row that does
 * not decode is a bug in the query, so it is a defect, not a domain error.
 */
export const decodeRows = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(schema: S) => {
  const decode = Schema.decodeUnknownEffect(Schema.Array(schema))
  return (rows: ReadonlyArray<unknown>) => (decode(rows) as Effect.Effect<ReadonlyArray<S["Type"]>, Schema.SchemaError>).pipe(Effect.orDie)
}

/**
 * A timestamptz column as ISO-8601 UTC text with milliseconds. Aliased with the column's own name it
 * hides the column from an unqualified ORDER BY (which would then sort by the text, to the
 * millisecond): order by the table's column, qualified.
 */
export const isoTime = (sql: Sql, column: string) =>
  sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
