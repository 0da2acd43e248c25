import { Context, Effect, Layer } from "effect"
import { keyPartitioner } from "./key-partitioner.ts"
import { KafkaClient, KafkaUnavailable } from "./kafka-client.ts"

export interface OutgoingMessage {
  readonly topic: string
  readonly key: string | null
  readonly value: string
}

export interface EventProducerShape {
  /** Sends all messages in one request per broker, acknowledged by all in-sync replicas. */
  send(messages: ReadonlyArray<OutgoingMessage>): Effect.Effect<void, KafkaUnavailable>
}

/** The process's one producer: created once, shared by every service, never per message. */
export class EventProducer extends Context.Service<EventProducer, EventProducerShape>()("loyaltea/kafka/EventProducer") {}

const groupByTopic = (messages: ReadonlyArray<OutgoingMessage>) => {
  const byTopic = new Map<string, Array<{ key: string | null; value: string }>>()
  for (const message of messages) {
    const list = byTopic.get(message.topic) ?? []
    list.push({ key: message.key, value: message.value })
    byTopic.set(message.topic, list)
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }))
}

// kafkajs sorts a request's messages into partitions in time quadratic in their number; requests
// of a bounded size keep that linear overall. They are written in order on one connection, so
// one key's events stay in order.
const chunkSize = 128

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

export const EventProducerLive = Layer.effect(
  EventProducer,
  Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    // The default (murmur2) partitioner places keys as Java clients do, so mixed producers agree.
    const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: keyPartitioner, retry: { retries: 5, initialRetryTime: 100 } })
    yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => producer.connect(), catch: (error) => new KafkaUnavailable({ reason: String((error as Error).message ?? error) }) }),
      () => Effect.promise(() => producer.disconnect()).pipe(Effect.ignore)
    )
    const sendChunk = (chunk: ReadonlyArray<OutgoingMessage>) => producer.sendBatch({ acks: -1, topicMessages: groupByTopic(chunk) })
    return {
      send: (messages) =>
        messages.length === 0
          ? Effect.void
          : Effect.tryPromise({
            try: () => Promise.all(chunksOf(messages, chunkSize).map(sendChunk)),
            catch: (error) => new KafkaUnavailable({ reason: String((error as Error).message ?? error) })
          }).pipe(Effect.asVoid)
    } satisfies EventProducerShape
  })
)
