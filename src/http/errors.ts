import { Elysia } from "elysia"
import { problem, setProblemHeaders } from "./problem.ts"
import { HttpRefusal } from "./refusal.ts"
import type { ErrorBody, ErrorFacts } from "./schema.ts"

const segments = (path: ReadonlyArray<unknown> | string | undefined): ReadonlyArray<unknown> =>
  typeof path === "string"
    // Elysia names the whole body "root"; the client knows it as the body.
    ? path.split(/[./]/).filter((s, i) => s.length > 0 && !(i === 0 && s === "root")).map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    : (path ?? [])

/** `items[2].name`: the field as a client wrote it. */
const fieldPath = (path: ReadonlyArray<unknown> | string | undefined): string =>
  segments(path).reduce<string>((acc, key) => {
    const part = typeof key === "object" && key !== null && "key" in key ? (key as { key: unknown }).key : key
    return typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)
  }, "")

interface Issue {
  readonly path?: ReadonlyArray<unknown> | string
  readonly message: string
}

const issuesOf = (error: { all?: unknown }): ReadonlyArray<Issue> => {
  try {
    const all = error.all
    return Array.isArray(all) ? (all as ReadonlyArray<Issue>) : []
  } catch {
    return []
  }
}

/** 422 naming the field; never echoes the submitted values (they may hold secrets). */
export const validationBody = (on: string, issues: ReadonlyArray<Issue>): ErrorFacts => {
  const details = issues.map((issue) => ({ field: fieldPath(issue.path) || on, message: issue.message }))
  const first = details[0]
  return {
    error: "ValidationError",
    message: first ? `${first.field}: ${first.message}` : `invalid ${on}`,
    ...(first ? { field: first.field } : {}),
    details
  }
}

/**
 * Framework-level errors in the project's error shape (problem details): bad JSON → 400, schema
 * violations → 422, unknown routes → 404. A response that fails its own schema is a server bug → 500.
 */
export const errorFormatting = (onServerError: (error: unknown) => void) =>
  new Elysia({ name: "loyaltea-error-formatting" }).onError({ as: "global" }, ({ code, error, set }) => {
    const answer = (status: number, facts: ErrorFacts, headers: Readonly<Record<string, string>> = {}): ErrorBody => {
      set.status = status
      Object.assign(set.headers, headers)
      setProblemHeaders(set, status)
      return problem(status, facts)
    }
    if (code === "VALIDATION") {
      if (error.type === "response") {
        onServerError(error)
        return answer(500, { error: "InternalError", message: "the server produced an invalid response" })
      }
      return answer(422, validationBody(error.type, issuesOf(error)))
    }
    // Refusals raised in hooks (credentials, size); a parser wraps the size check's in its own error.
    const refusal = error instanceof HttpRefusal ? error : (error as { cause?: unknown }).cause
    if (refusal instanceof HttpRefusal) {
      set.status = refusal.status
      Object.assign(set.headers, refusal.headers)
      setProblemHeaders(set, refusal.status)
      return refusal.body
    }
    if (code === "PARSE") return answer(400, { error: "MalformedBody", message: "the request body is not valid JSON" })
    if (code === "NOT_FOUND") return answer(404, { error: "NotFound", message: "no such route" })
    if (code === "INVALID_COOKIE_SIGNATURE" || code === "INVALID_FILE_TYPE") return answer(400, { error: "BadRequest", message: error.message })
    const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : 500
    if (status >= 500) onServerError(error)
    return answer(status, { error: status >= 500 ? "InternalError" : "BadRequest", message: status >= 500 ? "internal error" : String((error as Error).message ?? "bad request") })
  })
