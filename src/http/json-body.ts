import { Result } from "effect"
import { Elysia } from "elysia"
import { maxJsonDepth, parseJson } from "../platform/bounded-json.ts"
import { maxBodyBytes, readBody } from "./body-limit.ts"
import { HttpRefusal } from "./refusal.ts"
import { isUpload } from "./upload-routes.ts"

const utf8 = new TextDecoder("utf-8", { fatal: true })
const jsonMediaType = /^application\/(?:[\w.+-]+\+)?json$/i

const malformed = (message: string) => new HttpRefusal(400, { error: "MalformedBody", message })

export class BodyTooDeep extends HttpRefusal {
  constructor(readonly limit: number) {
    super(400, { error: "BodyTooDeep", message: `the request body nests deeper than ${limit} levels`, limit })
  }
}

const unsupported = () => new HttpRefusal(415, { error: "UnsupportedMediaType", message: "the request body must be JSON (content-type: application/json)" })

/**
 * The one way a request body becomes a value, on every route: read up to the size limit (413
 * past it), UTF-8 (400 otherwise), nested no deeper than `depth` (400 naming the limit, found by
 * one pass over the text before anything parses or walks it), then `JSON.parse`. Other media types
 * are refused (415): Elysia's form parsers would build nested values from field names and JSON
 * inside fields, around this bound. The import routes alone take their CSV or NDJSON body as a
 * stream, unread (`streamed`: the services' own, or the console's proxied ones).
 */
export const jsonBody = (limit = maxBodyBytes, depth = maxJsonDepth, streamed: (request: Request) => boolean = isUpload) =>
  new Elysia({ name: "loyaltea-json-body" })
    .onParse({ as: "global" }, async ({ request }, contentType) => {
      // `null` rather than `undefined`: this parser has answered, no other runs.
      // The imports stream their body to the route as it arrives (src/http/upload-routes.ts).
      // Another media type is refused by the route, after the access check (415 must not answer before 401).
      if (streamed(request)) return request.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
      if (request.body === null || request.headers.get("content-length") === "0") return null
      if (!jsonMediaType.test(contentType)) throw unsupported()
      const bytes = await readBody(request.body, limit)
      let text: string
      try {
        text = utf8.decode(bytes)
      } catch {
        throw malformed("the request body is not UTF-8 text")
      }
      const parsed = parseJson(text, depth)
      if (Result.isSuccess(parsed)) return parsed.success
      throw parsed.failure._tag === "TooDeep" ? new BodyTooDeep(depth) : malformed("the request body is not valid JSON")
    })
    // Never reached, since the parser above always answers; it makes the OpenAPI document list
    // JSON as the only media type of request bodies (a function parser alone would leave it empty).
    .onParse({ as: "global" }, { fn: "json" } as never)
