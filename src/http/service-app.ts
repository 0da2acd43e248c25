import { Elysia } from "elysia"
import pkg from "../../package.json" with { type: "json" }
import type { ServiceName } from "../config/service-name.ts"
import { maxJsonDepth } from "../platform/bounded-json.ts"
import { bodyLimit, maxBodyBytes } from "./body-limit.ts"
import { corsPlugin } from "./cors.ts"
import { errorFormatting } from "./errors.ts"
import { healthRoutes, type Readiness } from "./health.ts"
import { jsonBody } from "./json-body.ts"
import { httpMetrics } from "./metrics.ts"
import { openapiDocs } from "./openapi.ts"
import { securityHeadersPlugin } from "./security-headers.ts"
import { swaggerAssets } from "./swagger-assets.ts"
import { isUpload } from "./upload-routes.ts"

export interface ServiceAppOptions {
  readonly service: ServiceName
  readonly ready: () => Promise<Readiness>
  /** The Prometheus text of the process, for `/metrics`. */
  readonly metrics: () => Promise<string>
  /** Whether `/` sends a browser to Swagger UI (not where `/` is a page of its own: the console). */
  readonly rootToSwagger?: boolean
  readonly onServerError: (error: unknown) => void
  /** The browser origins allowed to call this port (`LOYALTEA_CORS_ORIGINS`); none by default. */
  readonly corsOrigins?: ReadonlyArray<string>
  /** The requests whose body is streamed unread, outside the JSON parser and the 1 MiB limit (default: the imports). */
  readonly streamedBodies?: (request: Request) => boolean
}

/**
 * What every service's app has: security headers on every answer, CORS for the configured
 * origins only, the body limit and the
 * bounded JSON parser, the error shape, OpenAPI + Swagger UI, `/health`, `/ready` and `/metrics`.
 */
export const serviceApp = ({ corsOrigins = [], metrics, onServerError, ready, rootToSwagger = true, service, streamedBodies = isUpload }: ServiceAppOptions) =>
  new Elysia({ name: `loyaltea-${service}` })
    .use(httpMetrics(service, metrics))
    .use(securityHeadersPlugin())
    .use(corsPlugin(corsOrigins))
    .use(bodyLimit(maxBodyBytes, streamedBodies))
    .use(jsonBody(maxBodyBytes, maxJsonDepth, streamedBodies))
    .use(errorFormatting(onServerError))
    .use(openapiDocs(service, pkg.version))
    .use(swaggerAssets())
    .use(healthRoutes(service, ready, rootToSwagger))

export type ServiceApp = ReturnType<typeof serviceApp>
