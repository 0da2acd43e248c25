type Json = Record<string, unknown>

const descriptions: Record<string, string> = {
  "200": "OK",
  "201": "Created",
  "202": "Accepted",
  "204": "No content",
  "400": "Malformed request body: not JSON, not UTF-8, or nested too deeply",
  "401": "No valid credential",
  "403": "The credential does not allow this (role, key scope or tenant)",
  "404": "Not found, or not visible to the caller's tenant",
  "409": "Conflicts with the current state",
  "413": "Request body too large",
  "415": "Request body is not JSON",
  "422": "Invalid input; `field` names the field",
  "429": "Too many attempts; see Retry-After",
  "503": "A dependency (database, Kafka, the user service) is unavailable; retry after `Retry-After` seconds"
}

// What the same statuses mean on the imports, whose body is CSV or NDJSON (src/http/upload-routes.ts).
const uploadDescriptions: Record<string, string> = {
  "400": "The body is not UTF-8 text, or the upload broke off before its end",
  "409": "The `id` is of a finished import (or of another tenant's or kind's), or the job was swept as stopped while this upload ran (post it again with the same `id`)",
  "413": "The body is over `LOYALTEA_IMPORT_MAX_BYTES`",
  "415": "The body is not text/csv or application/x-ndjson",
  "422": "Invalid input (the tenant, a CSV header without a required column or with an unknown one); `field` names it"
}

const retryAfter = {
  "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "integer", minimum: 1 } }
}

/** Error answers are problem details (RFC 9457), served as `application/problem+json`. */
const asProblem = (content: Json) => {
  const json = content["application/json"] as { schema?: { title?: unknown } } | undefined
  if (json?.schema?.title !== "Error") return
  delete content["application/json"]
  content["application/problem+json"] = json
}

// What the body parser answers on any route that takes a body, besides the route's own answers.
const bodyRefusals = ["400", "413", "415"]
// What the access check answers on any guarded route: no credential, not allowed, cannot be checked.
const accessRefusals = ["401", "403", "503"]

const isErrorResponse = (response: Json) =>
  ((response.content as Record<string, { schema?: { title?: unknown } }> | undefined)?.["application/json"]?.schema?.title) === "Error"

/**
 * A parameter is text on the wire, so its schema says `string` plus what the text must hold
 * (`allOf: [{type: integer}]`): Swagger UI would then offer a text box and send "string". What it
 * holds is its type.
 */
const asTyped = (schema: Json): Json => {
  const parts = schema.allOf as Array<Json> | undefined
  const typed = parts?.find((part) => part.type === "integer" || part.type === "number")
  if (schema.type !== "string" || parts?.length !== 1 || !typed) return schema
  const { allOf: _, type: __, ...rest } = schema
  return { ...rest, ...typed }
}

/**
 * The generated document writes empty responses (204) as `content: {type: ...}`, which is not
 * OpenAPI, describes every status as "Response for status N", and knows neither the problem-details
 * media type nor `Retry-After`; and every operation with a body lists the parser's refusals (400,
 * 413, 415) with the error body. All of it is put right here, once.
 */
export const polishOpenApi = (document: unknown): unknown => {
  type Operation = { requestBody?: unknown; responses?: Record<string, Json>; "x-loyaltea-access"?: string }
  const paths = (document as { paths?: Record<string, Record<string, Operation>> }).paths ?? {}
  const anyErrorShape = Object.values(paths).flatMap((operations) => Object.values(operations)).flatMap((operation) => Object.values(operation.responses ?? {})).find(isErrorResponse)
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const parameter of (operation as { parameters?: Array<{ schema?: Json }> }).parameters ?? []) {
        if (parameter.schema) parameter.schema = asTyped(parameter.schema)
      }
      const errorShape = Object.values(operation.responses ?? {}).find(isErrorResponse) ?? anyErrorShape
      if (operation.requestBody && operation.responses && errorShape) {
        for (const status of bodyRefusals) operation.responses[status] ??= { ...structuredClone(errorShape), description: descriptions[status] }
      }
      // Every guarded operation can be refused by the access check before it runs.
      const access = operation["x-loyaltea-access"]
      if (access !== undefined && access !== "public" && errorShape) {
        operation.responses ??= {}
        for (const status of accessRefusals) operation.responses[status] ??= { ...structuredClone(errorShape), description: descriptions[status] }
      }
      const bodyTypes = (operation.requestBody as { content?: Json } | undefined)?.content
      const isUpload = bodyTypes !== undefined && !("application/json" in bodyTypes)
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const content = response.content as Json | undefined
        if (content && "type" in content) delete response.content
        else if (content && Number(status) >= 400) asProblem(content)
        if (status === "503" || status === "429") response.headers = { ...retryAfter, ...(response.headers as Json | undefined) }
        if (typeof response.description !== "string" || response.description.startsWith("Response for status")) {
          response.description = descriptions[status] ?? `Status ${status}`
        }
        if (isUpload && uploadDescriptions[status] !== undefined) response.description = uploadDescriptions[status]
      }
    }
  }
  return document
}
