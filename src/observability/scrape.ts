import { Effect, Option } from "effect"
import { AppConfig } from "../config/app-config.ts"
import type { ServiceName } from "../config/service-name.ts"
import { Database } from "../db/database.ts"
import { ConsumerHealth } from "../kafka/consumer-health.ts"
import { ConsumerLag } from "./consumer-lag.ts"
import { consumerLag, outboxBacklog, registry, webhookBacklog, webhookOldestPendingSeconds } from "./metrics.ts"

// A scrape answers within this long; what could not be read keeps its last value.
const sourceTimeoutMs = 2000

// The console keeps no outbox.
const outboxSchemaOf: Record<ServiceName, string | undefined> = { campaign: "campaign", reward: "reward", fulfillment: "fulfillment", user: "users", console: undefined }

const readOutboxBacklog = (service: ServiceName) =>
  Effect.gen(function*() {
    const schema = outboxSchemaOf[service]
    if (schema === undefined) return
    const db = yield* Database
    const [row] = yield* db.run((sql) => sql<Array<{ rows: string }>>`select count(*) as rows from ${sql(`${schema}.outbox`)}`)
    outboxBacklog.set({ service }, Number(row?.rows ?? 0))
  })

// Deliveries the relay has still to make (the reward service's webhook outbox).
const readWebhookBacklog = (services: ReadonlyArray<ServiceName>) =>
  Effect.gen(function*() {
    if (!services.includes("reward")) return
    const db = yield* Database
    const [row] = yield* db.run((sql) => sql<Array<{ due: string; waiting: string; oldest: number | null }>>`
      select count(*) filter (where next_attempt_at is null or next_attempt_at <= now()) as due,
             count(*) filter (where next_attempt_at > now()) as waiting,
             extract(epoch from now() - min(created_at))::float8 as oldest
      from reward.webhook_deliveries where status = 'pending'`)
    webhookBacklog.set({ state: "due" }, Number(row?.due ?? 0))
    webhookBacklog.set({ state: "retrying" }, Number(row?.waiting ?? 0))
    webhookOldestPendingSeconds.set(row?.oldest ?? 0)
  })

const readConsumerLag = (services: ReadonlyArray<ServiceName>) =>
  Effect.gen(function*() {
    const [lag, health] = [yield* Effect.serviceOption(ConsumerLag), yield* Effect.serviceOption(ConsumerHealth)]
    if (Option.isNone(lag) || Option.isNone(health)) return
    const groups = [...new Set(services.flatMap((service) => health.value.of(service).map((member) => member.group)))]
    if (groups.length === 0) return
    for (const row of yield* lag.value.of(groups)) consumerLag.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, row.lag)
  })

/**
 * The Prometheus text of this process, with what is read at scrape time brought up to date first:
 * for every service the process runs (any of its ports answers for all of them).
 */
export const scrapeMetrics = (service: ServiceName) =>
  Effect.gen(function*() {
    const config = yield* Effect.serviceOption(AppConfig)
    const services = Option.match(config, { onNone: () => [service], onSome: (c) => c.services })
    const reads = [...services.map(readOutboxBacklog), readWebhookBacklog(services), readConsumerLag(services)]
    yield* Effect.all(reads.map((read) => read.pipe(Effect.timeout(sourceTimeoutMs), Effect.ignore)), { concurrency: "unbounded" })
    return yield* Effect.promise(() => registry.metrics())
  })

export const metricsContentType = registry.contentType
