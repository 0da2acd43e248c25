import { Effect, Schema } from "effect"
import { NotFound } from "../../domain/errors.ts"
import { includes, type TenantScope } from "../../domain/tenant-scope.ts"
import { ConsoleKafka, kafkaCall } from "./console-kafka.ts"
import { readRanges } from "./read-ranges.ts"
import { ConsoleRecord, tenantOf } from "./record.ts"
import { partitionsOf } from "./topic-overview.ts"

export interface BrowseRequest {
  readonly topic: string
  /** One partition, or every partition (then newest first over all of them). */
  readonly partition?: number
  /** From this offset on, oldest first; absent: the newest records, newest first. */
  readonly offset?: bigint
  readonly limit: number
}

export const BrowseAnswer = Schema.Struct({
  topic: Schema.String,
  records: Schema.Array(ConsoleRecord),
  /** Records of the range the caller may not see (another tenant's), left out. */
  hidden: Schema.Int
}).annotate({ identifier: "BrowseAnswer" })
export type BrowseAnswer = typeof BrowseAnswer.Type

const bigMax = (a: bigint, b: bigint) => (a > b ? a : b)
const bigMin = (a: bigint, b: bigint) => (a < b ? a : b)

/** What a reader of `scope` may see: its own tenant's records; the platform admin sees all. */
export const visibleTo = (scope: TenantScope) => (record: ConsoleRecord) => {
  if (scope._tag === "AllTenants") return true
  const tenant = tenantOf(record)
  return tenant !== undefined && includes(scope, tenant)
}

export const existingTopic = (topic: string) =>
  Effect.gen(function*() {
    const { admin } = yield* ConsoleKafka
    const topics = yield* kafkaCall(() => admin.listTopics())
    if (!topics.includes(topic)) return yield* new NotFound({ resource: "topic", id: topic })
  })

/** Records of a topic by partition and offset, or the newest first, as `scope` may see them. */
export const browse = (scope: TenantScope, request: BrowseRequest) =>
  Effect.gen(function*() {
    yield* existingTopic(request.topic)
    const partitions = (yield* partitionsOf(request.topic)).filter((p) => request.partition === undefined || p.partition === request.partition)
    if (request.partition !== undefined && partitions.length === 0) return yield* new NotFound({ resource: "partition", id: `${request.topic}/${request.partition}` })
    const limit = BigInt(request.limit)
    const ranges = partitions.map((p) => {
      const [low, high] = [BigInt(p.low), BigInt(p.high)]
      return request.offset === undefined
        ? { topic: request.topic, partition: p.partition, from: bigMax(low, high - limit), to: high }
        : { topic: request.topic, partition: p.partition, from: bigMax(low, request.offset), to: bigMin(high, bigMax(low, request.offset) + limit) }
    })
    const read = yield* readRanges(ranges)
    const ordered = request.offset === undefined
      ? read.sort((a, b) => b.timestamp.localeCompare(a.timestamp) || Number(BigInt(b.offset) - BigInt(a.offset))).slice(0, request.limit)
      : read.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
    const records = ordered.filter(visibleTo(scope))
    return { topic: request.topic, records, hidden: ordered.length - records.length } satisfies BrowseAnswer
  })
