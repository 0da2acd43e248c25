import { Effect, Schema } from "effect"
import { ConsoleKafka, kafkaCall } from "./console-kafka.ts"

const PartitionOffsets = Schema.Struct({
  partition: Schema.Int,
  /** The first offset still in the log. */
  low: Schema.String,
  /** The offset the next record will get. */
  high: Schema.String
})

const GroupLag = Schema.Struct({
  groupId: Schema.String,
  /** Records not yet committed by the group, over every partition. */
  lag: Schema.String,
  partitions: Schema.Array(Schema.Struct({ partition: Schema.Int, committed: Schema.String, lag: Schema.String }))
})

export const TopicOverview = Schema.Struct({
  topic: Schema.String,
  partitions: Schema.Array(PartitionOffsets),
  /** Records in the log now (high minus low, over every partition). */
  records: Schema.String,
  groups: Schema.Array(GroupLag)
}).annotate({ identifier: "TopicOverview" })
export type TopicOverview = typeof TopicOverview.Type

export const TopicList = Schema.Struct({ topics: Schema.Array(TopicOverview) }).annotate({ identifier: "TopicList" })

const max = (a: bigint, b: bigint) => (a > b ? a : b)

/** The partitions of one topic with their offsets. */
export const partitionsOf = (topic: string) =>
  Effect.gen(function*() {
    const { admin } = yield* ConsoleKafka
    const offsets = yield* kafkaCall(() => admin.fetchTopicOffsets(topic))
    return offsets
      .map((p) => ({ partition: p.partition, low: p.low, high: p.high }))
      .sort((a, b) => a.partition - b.partition)
  })

/** Every topic with its partitions' offsets and, for each consumer group reading it, its lag. */
export const topicOverview = Effect.gen(function*() {
  const { admin, isOwnGroup } = yield* ConsoleKafka
  const names = (yield* kafkaCall(() => admin.listTopics())).filter((name) => !name.startsWith("__")).sort()
  const partitions = yield* Effect.forEach(names, partitionsOf, { concurrency: 4 })
  const groups = (yield* kafkaCall(() => admin.listGroups())).groups.map((g) => g.groupId).filter((id) => !isOwnGroup(id)).sort()
  const committed = yield* Effect.forEach(groups, (groupId) =>
    kafkaCall(() => admin.fetchOffsets({ groupId, topics: names })).pipe(Effect.map((topics) => ({ groupId, topics }))), { concurrency: 4 })
  return names.map((topic, index): TopicOverview => {
    const offsets = partitions[index]!
    const lagOf = committed.flatMap(({ groupId, topics }) => {
      const mine = topics.find((t) => t.topic === topic)?.partitions.filter((p) => p.offset !== "-1") ?? []
      if (mine.length === 0) return []
      const rows = offsets.map((p) => {
        const at = mine.find((c) => c.partition === p.partition)?.offset
        const start = at === undefined ? BigInt(p.low) : max(BigInt(at), BigInt(p.low))
        return { partition: p.partition, committed: at ?? "-1", lag: String(max(0n, BigInt(p.high) - start)) }
      })
      return [{ groupId, lag: String(rows.reduce((sum, row) => sum + BigInt(row.lag), 0n)), partitions: rows }]
    })
    const records = offsets.reduce((sum, p) => sum + BigInt(p.high) - BigInt(p.low), 0n)
    return { topic, partitions: offsets, records: String(records), groups: lagOf }
  })
})
