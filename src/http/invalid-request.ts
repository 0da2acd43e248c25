import type { FieldIssue } from "../domain/validation.ts"
import { HttpRefusal } from "./refusal.ts"
import type { ErrorFacts } from "./schema.ts"

/** 422 naming the field; never echoes the submitted values (they may hold secrets, and be huge). */
export const validationBody = (on: string, issues: ReadonlyArray<FieldIssue>): ErrorFacts => {
  const details = issues.map((issue) => ({ field: issue.field || on, message: issue.message }))
  const first = details[0]
  return {
    error: "ValidationError",
    message: first ? `${first.field}: ${first.message}` : `invalid ${on}`,
    ...(first ? { field: first.field } : {}),
    details
  }
}

/** A body, query or path that fails its schema. */
export class InvalidRequest extends HttpRefusal {
  constructor(on: string, issues: ReadonlyArray<FieldIssue>) {
    super(422, validationBody(on, issues))
  }
}
