import type { ErrorBody, ErrorFacts } from "./schema.ts"

/** RFC 9457: error answers are `application/problem+json`. */
export const problemContentType = "application/problem+json"

/** Seconds a client should wait before retrying a 503: long enough for a restart to be noticed. */
export const retryAfterSeconds = 5

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable"
}

/** `NotFound` → `not-found`: the problem type's name in its URI. */
const kebab = (code: string) => code.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()

/**
 * The project's error body as RFC 9457 problem details: `type` names the error code (a URN, one per
 * `error`), `title` the status, `status` repeats it, `detail` is the message. The existing members
 * (`error`, `message`, `field`, the error's facts) stay, so clients reading them keep working.
 */
export const problem = (status: number, facts: ErrorFacts): ErrorBody => ({
  type: `urn:loyaltea:problem:${kebab(facts.error)}`,
  title: titles[status] ?? (status >= 500 ? "Server Error" : "Client Error"),
  status,
  detail: facts.message,
  ...facts
})

export interface ResponseHeaders {
  headers: Record<string, string | number>
}

/** The headers every error answer carries: its media type, and when to retry a 503. */
export const setProblemHeaders = (set: ResponseHeaders, status: number) => {
  set.headers["content-type"] = problemContentType
  if (status === 503 && set.headers["retry-after"] === undefined) set.headers["retry-after"] = String(retryAfterSeconds)
}
