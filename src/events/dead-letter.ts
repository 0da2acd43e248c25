import { Schema } from "effect"

/** What lands on `<topic>.dlq`: the reason, where it came from, and the original bytes. */
export const DeadLetter = Schema.Struct({
  error: Schema.String,
  topic: Schema.String,
  partition: Schema.Number,
  offset: Schema.String,
  key: Schema.NullOr(Schema.String),
  value: Schema.NullOr(Schema.String),
  valueEncoding: Schema.Literals(["utf8", "base64"])
}).annotate({ identifier: "DeadLetter" })
export type DeadLetter = typeof DeadLetter.Type
