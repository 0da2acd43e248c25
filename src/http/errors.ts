import { Elysia } from "elysia"
import { boundedIssues, describeIssues } from "../domain/validation.ts"
import { truncated } from "../platform/bounded-text.ts"
import { validationBody } from "./invalid-request.ts"
import { HttpRefusal } from "./refusal.ts"
import type { ErrorBody } from "./schema.ts"

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
 * Framework-level errors in the project's error shape: bad JSON → 400, schema violations → 422,
 * unknown routes → 404. A response that fails its own schema is a server bug → 500, logged
 * without the response itself (it may hold tokens).
 */
export const errorFormatting = (onServerError: (error: unknown) => void) =>
  new Elysia({ name: "loyaltea-error-formatting" }).onError({ as: "global" }, ({ code, error, path, request, set }) => {
    if (code === "VALIDATION") {
      if (error.type === "response") {
        onServerError(new Error(`the response of ${request.method} ${truncated(path, 200)} does not match its schema: ${describeIssues(issuesOf(error))}`))
        set.status = 500
        return { error: "InternalError", message: "the server produced an invalid response" } satisfies ErrorBody
      }
      // Inputs are validated by `input` schemas, which answer by themselves; this is for any other.
      set.status = 422
      return validationBody(error.type, issuesOf(error))
    }
    // Refusals raised in hooks (credentials, size, body); a parser wraps them in its own error.
    const refusal = error instanceof HttpRefusal ? error : (error as { cause?: unknown }).cause
    if (refusal instanceof HttpRefusal) {
      set.status = refusal.status
      Object.assign(set.headers, refusal.headers)
      return refusal.body
    }
    if (code === "PARSE") {
      set.status = 400
      return { error: "MalformedBody", message: "the request body is not valid JSON" } satisfies ErrorBody
    }
    if (code === "NOT_FOUND") {
      set.status = 404
      return { error: "NotFound", message: "no such route" } satisfies ErrorBody
    }
    if (code === "INVALID_COOKIE_SIGNATURE" || code === "INVALID_FILE_TYPE") {
      set.status = 400
      return { error: "BadRequest", message: truncated(error.message, 200) } satisfies ErrorBody
    }
    const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : 500
    if (status >= 500) onServerError(error)
    set.status = status
    return { error: status >= 500 ? "InternalError" : "BadRequest", message: status >= 500 ? "internal error" : truncated(String((error as Error).message ?? "bad request"), 200) } satisfies ErrorBody
  })
