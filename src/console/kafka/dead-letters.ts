import { Effect, Option, Schema } from "effect"
import { Forbidden, NotFound } from "../../domain/errors.ts"
import { includes, type TenantScope } from "../../domain/tenant-scope.ts"
import { DeadLetter } from "../../events/dead-letter.ts"
import { ConsoleKafka, kafkaCall } from "./console-kafka.ts"
import { existingTopic, visibleTo } from "./browse.ts"
import { writableTenant } from "./known-tenants.ts"
import { readRanges } from "./read-ranges.ts"
import { ConsoleRecord, tenantOf } from "./record.ts"
import { partitionsOf } from "./topic-overview.ts"

export const DeadLetterEntry = Schema.Struct({
  record: ConsoleRecord,
  /** The dead letter's reason, origin and original value; absent when the record is not one. */
  deadLetter: Schema.NullOr(DeadLetter)
}).annotate({ identifier: "DeadLetterEntry" })
export type DeadLetterEntry = typeof DeadLetterEntry.Type

export const DeadLetterList = Schema.Struct({ deadLetters: Schema.Array(DeadLetterEntry) }).annotate({ identifier: "DeadLetterList" })

export const isDeadLetterTopic = (topic: string) => topic.endsWith(".dlq")

const decode = Schema.decodeUnknownOption(Schema.fromJsonString(DeadLetter))
const entryOf = (record: ConsoleRecord): DeadLetterEntry => ({ record, deadLetter: Option.getOrNull(decode(record.value ?? "")) })

/** The newest dead letters of every `*.dlq` topic, newest first, as `scope` may see them. */
export const newestDeadLetters = (scope: TenantScope, limit: number) =>
  Effect.gen(function*() {
    const { admin } = yield* ConsoleKafka
    const topics = (yield* kafkaCall(() => admin.listTopics())).filter(isDeadLetterTopic).sort()
    const ranges = (yield* Effect.forEach(topics, (topic) =>
      Effect.map(partitionsOf(topic), (partitions) =>
        partitions.map((p) => {
          const high = BigInt(p.high)
          const from = high - BigInt(limit)
          return { topic, partition: p.partition, from: from > BigInt(p.low) ? from : BigInt(p.low), to: high }
        })), { concurrency: 4 })).flat()
    const records = yield* readRanges(ranges)
    return records
      .filter(visibleTo(scope))
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
      .slice(0, limit)
      .map(entryOf)
  })

/** One dead letter where it sits, decoded; NotFound when there is none there or `scope` may not see it. */
export const deadLetterAt = (scope: TenantScope, tenant: string, topic: string, partition: number, offset: bigint) =>
  Effect.gen(function*() {
    const id = `${topic}/${partition}/${offset}`
    if (!includes(scope, tenant)) return yield* new Forbidden({ reason: `not allowed to act on tenant ${tenant}` })
    if (!isDeadLetterTopic(topic)) return yield* new NotFound({ resource: "dead letter", id })
    yield* existingTopic(topic)
    const [record] = yield* readRanges([{ topic, partition, from: offset, to: offset + 1n }])
    if (!record || !visibleTo(scope)(record) || tenantOf(record) !== tenant) return yield* new NotFound({ resource: "dead letter", id })
    const entry = entryOf(record)
    if (!entry.deadLetter) return yield* new NotFound({ resource: "dead letter", id })
    return { record, deadLetter: entry.deadLetter }
  })

export const Resent = Schema.Struct({
  /** The dead letter that was sent again. */
  from: Schema.String,
  topic: Schema.String,
  partition: Schema.Int,
  offset: Schema.String
}).annotate({ identifier: "Resent" })
export type Resent = typeof Resent.Type

/** The header naming, on a republished record, the dead letter it came from. */
export const resentFromHeader = "loyaltea-resent-from"

/**
 * Republishes a dead letter of `tenant` (403 outside the caller's tenants, 422 when the tenant does
 * not exist, 404 when there is no dead letter of that tenant there): its original record (its key and exact bytes) to the topic it came
 * from, once per call, with a header naming the dead letter and who sent it again, and a log line.
 */
export const resendDeadLetter = (scope: TenantScope, who: string, tenant: string, topic: string, partition: number, offset: bigint) =>
  Effect.gen(function*() {
    yield* writableTenant(scope, tenant)
    const { deadLetter } = yield* deadLetterAt(scope, tenant, topic, partition, offset)
    if (`${deadLetter.topic}.dlq` !== topic) return yield* new Forbidden({ reason: `this dead letter names topic ${deadLetter.topic}, not the one ${topic} is for` })
    const from = `${topic}/${partition}/${offset}`
    const value = deadLetter.value === null ? null : deadLetter.valueEncoding === "base64" ? Buffer.from(deadLetter.value, "base64") : deadLetter.value
    const { producer } = yield* ConsoleKafka
    const [sent] = yield* kafkaCall(() =>
      producer.send({
        topic: deadLetter.topic,
        acks: -1,
        messages: [{ key: deadLetter.key, value, headers: { [resentFromHeader]: from, "loyaltea-resent-by": who } }]
      }))
    const at = { from, topic: deadLetter.topic, partition: sent?.partition ?? 0, offset: sent?.baseOffset ?? "-1" }
    yield* Effect.logInfo(`dead letter ${from} sent again to ${at.topic}/${at.partition}/${at.offset}`).pipe(
      Effect.annotateLogs({ by: who, reason: deadLetter.error })
    )
    return at satisfies Resent
  })
