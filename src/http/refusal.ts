import { problem } from "./problem.ts"
import type { ErrorBody, ErrorFacts } from "./schema.ts"

/**
 * A request refused before its handler runs (credential, size, body): the error formatter answers
 * `status` with `body` (problem details) and `headers` (e.g. `Retry-After`).
 */
export class HttpRefusal extends Error {
  readonly body: ErrorBody
  constructor(readonly status: number, facts: ErrorFacts, readonly headers: Readonly<Record<string, string>> = {}) {
    super(facts.message)
    this.body = problem(status, facts)
  }
}
