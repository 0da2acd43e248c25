import type { ErrorBody } from "./schema.ts"

/** A request refused before its handler runs (credential, size): the error formatter answers `status` with `body`. */
export class HttpRefusal extends Error {
  constructor(readonly status: number, readonly body: ErrorBody) {
    super(body.message)
  }
}
