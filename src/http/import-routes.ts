import type { Authenticator } from "../auth/authenticator.ts"
import { type Effect, Schema } from "effect"
import type { Page, PageRequest } from "../domain/page.ts"
import type { TenantScope } from "../domain/tenant-scope.ts"
import { Elysia } from "elysia"
import { type Tenant, Uuid } from "../domain/primitives.ts"
import { ImportJob, ImportRefusal } from "../imports/model.ts"
import { accessControl } from "./access.ts"
import { CursorQuery, ListPage, pageRequest } from "./list-page.ts"
import { TenantQuery } from "./params.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"
import { unsupportedUpload, uploadFormatOf } from "./upload-routes.ts"

export const postErrors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 409: errorResponse, 413: errorResponse, 415: errorResponse, 422: errorResponse, 503: errorResponse }
const getErrors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse }

export const ImportQuery = input(Schema.Struct({ ...TenantQuery }), "query")
export const StartImportQuery = input(Schema.Struct({
  ...TenantQuery,
  id: Schema.optionalKey(Uuid.annotate({
    description: "The import's id, chosen by the client so it can watch `GET /imports/{id}` while the upload runs (default: a new one). " +
      "Posting the file again with the id of an import that did not finish (the upload dropped, the process killed: its job is `failed` once it has gone " +
      "`LOYALTEA_IMPORT_STALE_SECONDS` without a heartbeat) starts that import over and finishes it: " +
      "what was applied before counts as duplicates. The id of a finished import is refused (409), and so is the id of one whose upload is still being applied (409: its heartbeat is fresh).",
    examples: ["5b0d8c1e-2f4a-4c3b-9d6e-7a8b9c0d1e2f"]
  }))
}), "query")
export const ImportParams = input(Schema.Struct({ id: Uuid }), "params")
export const RefusalsQuery = input(Schema.Struct({ ...TenantQuery, ...CursorQuery(["id"]) }), "query")

/** The OpenAPI request body of an import: CSV or NDJSON, with an example of each. */
export const uploadBody = (csv: string, ndjson: string, columns: string) => ({
  required: true,
  description: `${columns} Streamed: send it as it is read (chunked is fine); it is applied a batch at a time while it arrives.`,
  content: {
    "text/csv": { schema: { type: "string" as const }, example: csv },
    "application/x-ndjson": { schema: { type: "string" as const }, example: ndjson }
  }
})

export const importText =
  "Rows are applied in batches of 1000, each batch with the job's counts in one transaction: an import that stops anywhere (the client gone, " +
  "the process killed) leaves whole batches only, and posting the same file again applies what is missing and counts the rest as duplicates. " +
  "A row that cannot be applied (a bad CSV line, a field the schema refuses) is refused with its line, field and reason and never stops the import. " +
  "201 once the whole body is read and applied, with the report; `GET /imports/{id}` shows the counts while it runs. " +
  "A body declared over `LOYALTEA_IMPORT_MAX_BYTES` is refused (413) before anything is applied; a streamed one that grows past it stops there (413; the job `failed`, its whole batches kept)."

/** The body as the stream it is (the JSON parser hands import bodies over unread), and its declared size. */
export const uploadOf = (body: unknown, request: Request) => {
  const format = uploadFormatOf(request.headers.get("content-type"))
  if (format === undefined) throw unsupportedUpload()
  return {
    stream: body as ReadableStream<Uint8Array>,
    format,
    declared: request.headers.get("content-length") === null ? undefined : Number(request.headers.get("content-length"))
  }
}

/** `GET /imports/{id}` and `GET /imports/{id}/refusals` of a service, over its import use cases. */
export const importJobRoutes = <I, E>(
  run: Runner<I | Authenticator>,
  name: string,
  use: {
    readonly job: (scope: TenantScope, tenant: Tenant | undefined, id: string) => Effect.Effect<ImportJob, E, I>
    readonly refusals: (scope: TenantScope, tenant: Tenant | undefined, id: string, page: PageRequest) => Effect.Effect<Page<ImportRefusal>, E, I>
  },
  what: string
) =>
  new Elysia({ name })
    .use(accessControl(run))
    .get("/imports/:id", ({ params, query, scope, set }) => run(set, use.job(scope, query.tenant, params.id)), {
      access: "read",
      params: ImportParams,
      query: ImportQuery,
      response: { 200: standard(ImportJob), ...getErrors },
      detail: { tags: ["imports"], summary: `An import of ${what}: its status and counts, moving while it runs` }
    })
    .get("/imports/:id/refusals", ({ params, query, scope, set }) => run(set, use.refusals(scope, query.tenant, params.id, pageRequest(query))), {
      access: "read",
      params: ImportParams,
      query: RefusalsQuery,
      response: { 200: standard(ListPage(ImportRefusal)), ...getErrors },
      detail: { tags: ["imports"], summary: `The rows an import of ${what} refused, by line, with the field and the reason` }
    })

