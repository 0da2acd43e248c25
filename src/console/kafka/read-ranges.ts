import { Effect } from "effect"
import { ConsoleKafka, kafkaCall } from "./console-kafka.ts"
import { type ConsoleRecord, recordOf } from "./record.ts"

/** Offsets `[from, to)` of one partition. */
export interface Range {
  readonly topic: string
  readonly partition: number
  readonly from: bigint
  readonly to: bigint
}

// Past this, what was read is answered: a range cut short beats a request that hangs.
const readTimeoutMs = 10_000

/**
 * Reads the records of each range with a consumer group of its own that commits nothing, then
 * removes the group: browsing never moves a service's offsets or takes partitions from it.
 */
export const readRanges = (ranges: ReadonlyArray<Range>) =>
  Effect.gen(function*() {
    const { groupId, kafka, admin } = yield* ConsoleKafka
    // Only what is in the log now: a range past its end would wait for records that may never come.
    const topics = [...new Set(ranges.map((range) => range.topic))]
    const logs = yield* Effect.forEach(topics, (topic) => Effect.map(kafkaCall(() => admin.fetchTopicOffsets(topic)), (offsets) => ({ topic, offsets })), { concurrency: 4 })
    const wanted = ranges.flatMap((range) => {
      const log = logs.find((l) => l.topic === range.topic)?.offsets.find((p) => p.partition === range.partition)
      if (!log) return []
      const from = range.from > BigInt(log.low) ? range.from : BigInt(log.low)
      const to = range.to < BigInt(log.high) ? range.to : BigInt(log.high)
      return to > from ? [{ ...range, from, to }] : []
    })
    if (wanted.length === 0) return [] as Array<ConsoleRecord>
    const group = groupId("browse")
    return yield* kafkaCall(async () => {
      const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100, retry: { retries: 2 } })
      const records: Array<ConsoleRecord> = []
      const remaining = new Map(wanted.map((range) => [`${range.topic}/${range.partition}`, range]))
      let done: () => void = () => {}
      const finished = new Promise<void>((resolve) => (done = resolve))
      try {
        await consumer.connect()
        await consumer.subscribe({ topics: [...new Set(wanted.map((range) => range.topic))], fromBeginning: false })
        consumer.on(consumer.events.GROUP_JOIN, () => {
          for (const range of remaining.values()) consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.from) })
        })
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const id = `${batch.topic}/${batch.partition}`
            const range = remaining.get(id)
            if (!range) return
            for (const message of batch.messages) {
              const offset = BigInt(message.offset)
              if (offset >= range.from && offset < range.to) records.push(recordOf(batch.topic, batch.partition, message))
            }
            const last = batch.messages.at(-1)
            if (last && BigInt(last.offset) >= range.to - 1n) remaining.delete(id)
            if (remaining.size === 0) done()
          }
        })
        await Promise.race([finished, Bun.sleep(readTimeoutMs)])
        return records
      } finally {
        await consumer.disconnect().catch(() => {})
        await admin.deleteGroups([group]).catch(() => {})
      }
    })
  })
