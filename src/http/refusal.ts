import type { ErrorBody } from "./schema.ts"

/**
 * A request refused before its handler runs (credential, size, body): the error formatter answers
 * `status` with `body`, and `headers` (e.g. closing a connection whose body was left unread).
 */
export class HttpRefusal extends Error {
  constructor(readonly status: number, readonly body: ErrorBody, readonly headers: Readonly<Record<string, string>> = {}) {
    super(body.message)
  }
}
