import { Result, Schema } from "effect"
import { truncated } from "../platform/bounded-text.ts"

/** One reason an input was refused: the field as a client wrote it (`items[2].name`, "" for the whole input). */
export interface FieldIssue {
  readonly field: string
  readonly message: string
}

/** Enough to fix a request; an input with thousands of faults does not get thousands of lines. */
export const maxIssues = 20
const maxMessageLength = 200

type PathKey = unknown

/** `items[2].name`: the field as a client wrote it. */
export const fieldPath = (path: ReadonlyArray<PathKey>): string =>
  path.reduce<string>((acc, key) => {
    const part = typeof key === "object" && key !== null && "key" in key ? (key as { key: unknown }).key : key
    return typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)
  }, "")

/** At most `maxIssues` issues, each message bounded. */
export const boundedIssues = (issues: ReadonlyArray<{ readonly path?: ReadonlyArray<PathKey> | undefined; readonly message: string }>): ReadonlyArray<FieldIssue> =>
  issues.slice(0, maxIssues).map((issue) => ({ field: truncated(fieldPath(issue.path ?? []), 100), message: truncated(issue.message, maxMessageLength) }))

/**
 * A synchronous validator for an input schema (HTTP bodies, Kafka values). Effect's issue
 * messages do not quote the input unless asked to (`reportInput`, never set here); a message
 * that still grows with it (a defect's description) is cut, and so is the number of issues.
 */
export const makeValidator = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(schema: S) => {
  const validate = Schema.toStandardSchemaV1(schema)["~standard"].validate
  return (value: unknown): Result.Result<S["Type"], ReadonlyArray<FieldIssue>> => {
    const outcome = validate(value)
    if (outcome instanceof Promise) return Result.fail([{ field: "", message: "the schema cannot be checked synchronously" }])
    return outcome.issues ? Result.fail(boundedIssues(outcome.issues)) : Result.succeed(outcome.value as S["Type"])
  }
}

/** `field: message; field: message`, as a dead-letter reason or a log line. */
export const describeIssues = (issues: ReadonlyArray<FieldIssue>): string =>
  issues.map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message)).join("; ")
