import { Deferred, Effect } from "effect"
import type { RawMessage } from "./dead-letter.ts"
import { KafkaClient } from "./kafka-client.ts"
import type { OffsetRange } from "./offset-ranges.ts"

/**
 * Reads `topic` over `ranges` in consumer group `groupId` and hands each fetched batch to `apply`,
 * which commits it with the job's offsets; ends once `apply` says the job's reading is done. The
 * group's offsets only save a restart fetching what it has read: the job's own row, written in the
 * same transaction as what a batch did, is what it resumes from.
 */
export const readRanges = (
  groupId: string,
  topic: string,
  ranges: ReadonlyArray<OffsetRange>,
  apply: (partition: number, messages: ReadonlyArray<RawMessage>) => Promise<boolean>
) =>
  Effect.scoped(Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    const finished = yield* Deferred.make<void>()
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, maxBytesPerPartition: 512 * 1024 })
    yield* Effect.addFinalizer(() => Effect.promise(() => consumer.disconnect()).pipe(Effect.timeout(3000), Effect.ignore))
    yield* Effect.promise(() => consumer.connect())
    yield* Effect.promise(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
    yield* Effect.promise(() =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
          const messages = batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp }))
          const done = await apply(batch.partition, messages)
          const last = batch.messages[batch.messages.length - 1]
          if (last) {
            resolveOffset(last.offset)
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]).catch(() => undefined)
          }
          await heartbeat()
          if (done) Deferred.doneUnsafe(finished, Effect.void)
        }
      })
    )
    for (const p of ranges) {
      if (BigInt(p.current) < BigInt(p.end)) consumer.seek({ topic, partition: p.partition, offset: p.current })
    }
    yield* Deferred.await(finished)
  }))
