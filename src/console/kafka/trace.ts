import type { TenantScope } from "../../domain/tenant-scope.ts"
import { derivedEventId, offsetEventId } from "../../events/event-id.ts"
import { deadLetterTopic, ingressTopics, Topics } from "../../events/topics.ts"
import type { ConsoleKafkaShape } from "./console-kafka.ts"
import { visibleTo } from "./browse.ts"
import { type ConsoleRecord, jsonOf, recordOf } from "./record.ts"

/** The topics one event's consequences travel through, and where each of them can be dead-lettered. */
const flowTopics = [...ingressTopics, Topics.fulfillment, Topics.fulfillmentRevoked, Topics.reward, Topics.rewardRevoked, Topics.rewardNotify]
export const traceTopics: ReadonlyArray<string> = [...flowTopics, ...flowTopics.map(deadLetterTopic)]

/** One step of an event's way: the record, the id it goes by, and for a dead letter, why. */
export interface Hop {
  readonly record: ConsoleRecord
  readonly eventId: string
  readonly causeEventId: string | null
  readonly deadLetter: string | null
  /** Points landed: a `reward-notify` of the flow. */
  readonly landed: boolean
}

// Records seen before their cause (the topics are read side by side) wait here for it, up to this many.
const waitingLimit = 10_000

/**
 * Decides, record by record, which belong to the flow of one event: the event itself (by its id,
 * or where it sits when it came without one), every event whose `causeEventId` is in the flow, the
 * `reward-notify` derived from a `reward` of the flow, and the dead letters of any of them.
 */
export const flowMatcher = (root: string) => {
  const ids = new Set([root])
  const waiting: Array<ConsoleRecord> = []
  const judge = (record: ConsoleRecord): Hop | undefined => {
    const json = jsonOf(record.value)
    if (!json) return undefined
    if (record.topic.endsWith(".dlq")) {
      const original = typeof json.value === "string" ? jsonOf(json.value) : undefined
      const id = typeof original?.eventId === "string"
        ? original.eventId
        : typeof json.topic === "string" && typeof json.partition === "number" && typeof json.offset === "string"
        ? offsetEventId(json.topic, json.partition, json.offset)
        : undefined
      const cause = typeof original?.causeEventId === "string" ? original.causeEventId : null
      if ((id === undefined || !ids.has(id)) && (cause === null || !ids.has(cause))) return undefined
      return { record, eventId: id ?? "", causeEventId: cause, deadLetter: typeof json.error === "string" ? json.error : "dead-lettered", landed: false }
    }
    const id = typeof json.eventId === "string" ? json.eventId : offsetEventId(record.topic, record.partition, record.offset)
    const cause = typeof json.causeEventId === "string" ? json.causeEventId : null
    if (!ids.has(id) && (cause === null || !ids.has(cause))) return undefined
    ids.add(id)
    if (record.topic === Topics.reward) ids.add(derivedEventId("reward-notify", id))
    return { record, eventId: id, causeEventId: cause, deadLetter: null, landed: record.topic === Topics.rewardNotify }
  }
  /** The hops this record makes part of the flow: itself, and the waiting ones it was the cause of. */
  const offer = (record: ConsoleRecord): Array<Hop> => {
    const hop = judge(record)
    if (!hop) {
      waiting.push(record)
      if (waiting.length > waitingLimit) waiting.shift()
      return []
    }
    const hops = [hop]
    for (let grew = true; grew;) {
      grew = false
      for (let i = 0; i < waiting.length; i++) {
        const later = judge(waiting[i]!)
        if (later) {
          hops.push(later)
          waiting.splice(i, 1)
          grew = true
          break
        }
      }
    }
    return hops
  }
  return { offer }
}

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

