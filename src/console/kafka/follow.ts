import type { TenantScope } from "../../domain/tenant-scope.ts"
import { visibleTo } from "./browse.ts"
import type { ConsoleKafkaShape } from "./console-kafka.ts"
import { flowMatcher, traceTopics } from "./flow-matcher.ts"
import { recordOf } from "./record.ts"

/** Follows at once per process: each holds a consumer, so there is a bound. */
export const maxFollows = 20
let following = 0

/** Whether one more follow may start now. */
export const canFollow = () => following < maxFollows

const encoder = new TextEncoder()
const sse = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)

/**
 * Follows one event across the flow's topics, from the records written since `since` (ms), as
 * server-sent events: `following` once reading, then one `hop` per record of the flow. Reading
 * stops when the client goes away or after `forMs`, and the consumer group it used is removed.
 */
export const followEvent = (kafka: ConsoleKafkaShape, scope: TenantScope, root: string, since: number, forMs: number) => {
  const group = kafka.groupId("follow")
  const consumer = kafka.kafka.consumer({ groupId: group, maxWaitTimeInMs: 200 })
  const visible = visibleTo(scope)
  const matcher = flowMatcher(root)
  let stopped = false
  following++
  const stop = async () => {
    if (stopped) return
    stopped = true
    following--
    await consumer.disconnect().catch(() => {})
    await kafka.admin.deleteGroups([group]).catch(() => {})
  }
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const push = (bytes: Uint8Array) => {
        if (!stopped) controller.enqueue(bytes)
      }
      const heartbeat = setInterval(() => push(encoder.encode(": still following\n\n")), 15_000)
      const close = () => {
        try {
          controller.close()
        } catch {
          // The client went away first.
        }
      }
      const end = setTimeout(() => void stop().then(close), forMs)
      consumer.on(consumer.events.STOP, () => {
        clearInterval(heartbeat)
        clearTimeout(end)
      })
      try {
        const existing = (await kafka.admin.listTopics()).filter((topic) => traceTopics.includes(topic))
        const starts = await Promise.all(existing.map(async (topic) => ({ topic, offsets: await kafka.admin.fetchTopicOffsetsByTimestamp(topic, since) })))
        await consumer.connect()
        await consumer.subscribe({ topics: existing, fromBeginning: false })
        consumer.on(consumer.events.GROUP_JOIN, () => {
          for (const { offsets, topic } of starts) {
            for (const p of offsets) consumer.seek({ topic, partition: p.partition, offset: p.offset })
          }
          push(sse("following", { eventId: root, since: new Date(since).toISOString(), topics: existing }))
        })
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const record = recordOf(batch.topic, batch.partition, message)
              if (!visible(record)) continue
              for (const hop of matcher.offer(record)) push(sse("hop", hop))
            }
          }
        })
      } catch (error) {
        push(sse("failed", { reason: error instanceof Error ? error.message : String(error) }))
        await stop()
        close()
      }
    },
    cancel: stop
  })
}

