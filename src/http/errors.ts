import { Elysia } from "elysia"
import { boundedIssues, describeIssues } from "../domain/validation.ts"
import { truncated } from "../platform/bounded-text.ts"
import { validationBody } from "./invalid-request.ts"
import { problem, setProblemHeaders } from "./problem.ts"
import { HttpRefusal } from "./refusal.ts"
import type { ErrorBody, ErrorFacts } from "./schema.ts"

// Elysia names the whole body "root"; the client knows it as the body.
const segments = (path: ReadonlyArray<unknown> | string | undefined): ReadonlyArray<unknown> =>
  typeof path === "string"
    ? path.split(/[./]/).filter((s, i) => s.length > 0 && !(i === 0 && s === "root")).map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    : (path ?? [])

interface Issue {
  readonly path?: ReadonlyArray<unknown> | string
  readonly message: string
}

const issuesOf = (error: { all?: unknown }) => {
  try {
    const all = error.all
    return boundedIssues((Array.isArray(all) ? (all as ReadonlyArray<Issue>) : []).map((issue) => ({ path: segments(issue.path), message: issue.message })))
  } catch {
    return []
  }
}

/**
 * Framework-level errors in the project's error shape (problem details): bad JSON → 400, schema
 * violations → 422, unknown routes → 404. A response that fails its own schema is a server bug →
 * 500, logged without the response itself (it may hold tokens).
 */
export const errorFormatting = (onServerError: (error: unknown) => void) =>
  new Elysia({ name: "loyaltea-error-formatting" }).onError({ as: "global" }, ({ code, error, path, request, set }) => {
    const answer = (status: number, facts: ErrorFacts, headers: Readonly<Record<string, string>> = {}): ErrorBody => {
      set.status = status
      Object.assign(set.headers, headers)
      setProblemHeaders(set, status)
      return problem(status, facts)
    }
    if (code === "VALIDATION") {
      if (error.type === "response") {
        onServerError(new Error(`the response of ${request.method} ${truncated(path, 200)} does not match its schema: ${describeIssues(issuesOf(error))}`))
        return answer(500, { error: "InternalError", message: "the server produced an invalid response" })
      }
      // Inputs are validated by `input` schemas, which answer by themselves; this is for any other.
      return answer(422, validationBody(error.type, issuesOf(error)))
    }
    // Refusals raised in hooks (credentials, size, body); a parser wraps them in its own error.
    const refusal = error instanceof HttpRefusal ? error : (error as { cause?: unknown }).cause
    if (refusal instanceof HttpRefusal) {
      set.status = refusal.status
      Object.assign(set.headers, refusal.headers)
      setProblemHeaders(set, refusal.status)
      return refusal.body
    }
    if (code === "PARSE") return answer(400, { error: "MalformedBody", message: "the request body is not valid JSON" })
    if (code === "NOT_FOUND") return answer(404, { error: "NotFound", message: "no such route" })
    if (code === "INVALID_COOKIE_SIGNATURE" || code === "INVALID_FILE_TYPE") return answer(400, { error: "BadRequest", message: truncated(error.message, 200) })
    const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : 500
    if (status >= 500) onServerError(error)
    return answer(status, {
      error: status >= 500 ? "InternalError" : "BadRequest",
      message: status >= 500 ? "internal error" : truncated(String((error as Error).message ?? "bad request"), 200)
    })
  })
