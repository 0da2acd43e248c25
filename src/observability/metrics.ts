import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client"

/**
 * The process's metrics, in the Prometheus text format at `/metrics` on every port. One registry
 * per process: a process running several services answers the same series on each of their
 * ports, each series labelled by its service, group or topic. No label ever holds a tenant or a
 * user: the metrics are the operator's, not a tenant's.
 */
export const registry = new Registry()
collectDefaultMetrics({ register: registry, prefix: "loyaltea_" })
// Under Bun, v8.getHeapSpaceStatistics() takes a census of the whole heap: 25 ms on an idle
// process and some 400 ms with a few hundred MiB of heap, during which nothing else runs (every
// scrape a latency spike for every request and consumer). The heap totals (process.memoryUsage,
// cheap) stay; the per-space breakdown goes.
for (const kind of ["total", "used", "available"]) registry.removeSingleMetric(`loyaltea_nodejs_heap_space_size_${kind}_bytes`)

const seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export const httpRequests = new Histogram({
  name: "loyaltea_http_request_duration_seconds",
  help: "HTTP requests by service, method, route (its template, not the path) and status",
  labelNames: ["service", "method", "route", "status"] as const,
  buckets: seconds,
  registers: [registry]
})

export const consumedEvents = new Counter({
  name: "loyaltea_events_total",
  help: "Events a consumer group took from a topic, by outcome: applied, duplicate (already processed), dead_lettered",
  labelNames: ["group", "topic", "outcome"] as const,
  registers: [registry]
})

export const batchSteps = new Histogram({
  name: "loyaltea_batch_step_duration_seconds",
  help: "The steps of a fetched batch: apply (its one transaction), publish (what it emitted), commit (its offsets)",
  labelNames: ["group", "topic", "step"] as const,
  buckets: seconds,
  registers: [registry]
})

export const transactions = new Histogram({
  name: "loyaltea_db_transaction_duration_seconds",
  help: "Database transactions from taking a connection to commit or rollback, by outcome",
  labelNames: ["outcome"] as const,
  buckets: seconds,
  registers: [registry]
})

export const outboxBacklog = new Gauge({
  name: "loyaltea_outbox_backlog",
  help: "Outbox rows of a service not yet published to Kafka (read when scraped)",
  labelNames: ["service"] as const,
  registers: [registry]
})

export const consumerLag = new Gauge({
  name: "loyaltea_consumer_lag",
  help: "Messages in a partition past its group's committed offset (read from Kafka when scraped)",
  labelNames: ["group", "topic", "partition"] as const,
  registers: [registry]
})

export const brokerRequests = new Counter({
  name: "loyaltea_broker_requests_total",
  help: "Requests the embedded broker answered, by API",
  labelNames: ["api"] as const,
  registers: [registry]
})

// One labelled child per API, looked up once: the counter is bumped on every broker request.
const brokerRequestsByApi = new Map<string, { inc: () => void }>()

/** Counts one request the embedded broker served (its `onRequest` hook). */
export const countBrokerRequest = (api: string) => {
  let counter = brokerRequestsByApi.get(api)
  if (counter === undefined) {
    counter = brokerRequests.labels({ api })
    brokerRequestsByApi.set(api, counter)
  }
  counter.inc()
}

export const webhookBacklog = new Gauge({
  name: "loyaltea_webhook_backlog",
  help: "Webhook deliveries not yet delivered, by state: due now or waiting for a retry (read when scraped)",
  labelNames: ["state"] as const,
  registers: [registry]
})

export const webhookOldestPendingSeconds = new Gauge({
  name: "loyaltea_webhook_oldest_pending_seconds",
  help: "Age of the oldest webhook delivery still pending, 0 when none (read when scraped)",
  registers: [registry]
})

/** Seconds since `started` (a `performance.now()` reading). */
export const since = (started: number) => (performance.now() - started) / 1000
