import { Elysia } from "elysia"
import type { AppConfigShape } from "../config/app-config.ts"
import { type ApiServiceName, apiServiceNames } from "../config/service-name.ts"
import { problemContentType, retryAfterSeconds } from "../http/problem.ts"
import { HttpRefusal } from "../http/refusal.ts"
import { serviceUrl } from "./service-urls.ts"
import { isProxiedUpload } from "./proxied-uploads.ts"
import { passedOn } from "./request-body.ts"
import { streamedBody } from "./upstream-body.ts"

// A service that does not answer (or, while streaming, sends nothing) in this long is out of reach for this request.
const defaultUpstreamTimeoutMs = 15_000
// How long an import's answer may take once its whole body is handed on: the socket buffers still
// hold megabytes the service has to read and apply (some 10 MiB on loopback, half a minute at the
// CSV import's pace) before its last batch commits and it answers.
const defaultUploadAnswerMs = 5 * 60_000

/** Request headers the services read; nothing else (cookies, hop-by-hop headers) goes through. */
const forwardedRequestHeaders = ["authorization", "x-api-key", "content-type", "accept", "idempotency-key"]
/**
 * An import's body goes on byte for byte, so its declared size holds upstream too: the service
 * refuses one declared over its cap (413) before reading any of it, instead of reading up to the
 * cap and failing a job. Any other body is JSON the console serialised again, its length its own.
 */
const declaredUploadHeaders = ["content-length"]
const forwardedResponseHeaders = ["content-type", "content-disposition", "retry-after", "location"]

const isService = (name: string): name is ApiServiceName => (apiServiceNames as ReadonlyArray<string>).includes(name)

/**
 * `/api/<service>/<path>` on the console's port is `<path>` on that service, so the browser stays
 * on one origin (no CORS) and the services see exactly the caller's own credential. Each service
 * checks it; the console adds no rights of its own.
 */
export const proxyRoutes = (config: AppConfigShape, upstreamTimeoutMs = defaultUpstreamTimeoutMs, uploadAnswerMs = defaultUploadAnswerMs) =>
  new Elysia({ name: "loyaltea-console-proxy" })
    .all("/api/:service/*", async ({ body, params, request }) => {
      if (!isService(params.service)) throw new HttpRefusal(404, { error: "NotFound", message: `no service ${params.service}: one of ${apiServiceNames.join(", ")}` })
      const incoming = new URL(request.url)
      const path = incoming.pathname.slice(`/api/${params.service}`.length) || "/"
      const target = new URL(`${path.replace(/^\/+/, "")}${incoming.search}`, serviceUrl(config, params.service))
      const upload = isProxiedUpload(request)
      const headers = Object.fromEntries([...forwardedRequestHeaders, ...(upload ? declaredUploadHeaders : [])].flatMap((name) => {
        const value = request.headers.get(name)
        return value ? [[name, value]] : []
      }))
      let answer: Response
      const upstream = new AbortController()
      // An import is answered only once the service has read and applied the whole body, which can
      // take minutes: its deadline runs from the last chunk the service took, not from the start.
      let deadline: ReturnType<typeof setTimeout> | undefined
      let answered = false
      const arm = (ms = upstreamTimeoutMs) => {
        clearTimeout(deadline)
        if (!answered) deadline = setTimeout(() => upstream.abort(new Error(`no answer in ${ms} ms`)), ms)
      }
      arm()
      try {
        answer = await fetch(target, {
          method: request.method,
          headers,
          // An import's body goes on as it arrives; any other was read and checked as bounded JSON by the app's parser.
          body: upload
            ? (request.body === null ? undefined : passedOn(request.body, arm, () => arm(uploadAnswerMs)))
            : body === undefined || body === null || request.method === "GET" || request.method === "HEAD" ? undefined : JSON.stringify(body),
          ...(upload ? { duplex: "half" } : {}),
          redirect: "manual",
          signal: upstream.signal
        } as RequestInit)
      } catch (error) {
        throw new HttpRefusal(503, {
          error: "Unavailable",
          message: `the ${params.service} service cannot be reached at ${serviceUrl(config, params.service)}: ${error instanceof Error ? error.message : String(error)}`
        }, { "retry-after": String(retryAfterSeconds) })
      } finally {
        answered = true
        clearTimeout(deadline)
      }
      const out = new Headers()
      for (const name of forwardedResponseHeaders) {
        const value = answer.headers.get(name)
        if (value) out.set(name, value)
      }
      if (!answer.ok && !out.has("content-type")) out.set("content-type", problemContentType)
      const passed = answer.status === 204 || answer.body === null ? null : streamedBody(answer.body, upstreamTimeoutMs, (reason) => upstream.abort(reason))
      return new Response(passed, { status: answer.status, headers: out })
    }, { detail: { hide: true } })
