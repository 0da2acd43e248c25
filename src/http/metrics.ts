import { Elysia } from "elysia"
import type { ServiceName } from "../config/service-name.ts"
import { httpRequests, since } from "../observability/metrics.ts"
import { metricsContentType } from "../observability/scrape.ts"

const started = new WeakMap<Request, number>()

const metricsDetail = {
  tags: ["health"],
  summary: "Metrics in the Prometheus text format: HTTP, consumers (events, batch steps, lag), outbox backlog, database transactions, the embedded broker, the process",
  security: [],
  "x-loyaltea-access": "public",
  responses: {
    "200": {
      description: "Prometheus text exposition format 0.0.4",
      content: { "text/plain": { schema: { type: "string" as const, examples: ["# HELP loyaltea_events_total Events a consumer group took from a topic\n# TYPE loyaltea_events_total counter\nloyaltea_events_total{group=\"loyaltea-reward\",topic=\"reward\",outcome=\"applied\"} 42\n"] } } }
    }
  }
}

/**
 * Times every request of the service by its route template (never its path, whose ids would make
 * a series per user) and answers `/metrics`. `/metrics` itself is counted too.
 */
export const httpMetrics = (service: ServiceName, scrape: () => Promise<string>) => {
  // One labelled child per series, found by a string key: no label hashing per request.
  const children = new Map<string, ReturnType<typeof httpRequests.labels>>()
  return new Elysia({ name: `loyaltea-http-metrics-${service}` })
    .onRequest(({ request }) => {
      started.set(request, performance.now())
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const at = started.get(request)
      if (at === undefined) return
      const status = typeof set.status === "number" ? set.status : 200
      const series = `${request.method} ${route} ${status}`
      let child = children.get(series)
      if (child === undefined) {
        child = httpRequests.labels({ service, method: request.method, route: route || "unmatched", status: String(status) })
        children.set(series, child)
      }
      child.observe(since(at))
    })
    .get("/metrics", async ({ set }) => {
      set.headers["content-type"] = metricsContentType
      return await scrape()
    }, { detail: metricsDetail })
}
