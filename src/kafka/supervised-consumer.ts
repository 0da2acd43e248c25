import { Deferred, Effect, Schema } from "effect"
import type { Consumer, EachBatchPayload } from "kafkajs"
import { AppConfig } from "../config/app-config.ts"
import { Database } from "../db/database.ts"
import type { TenantDirectory } from "../tenants/directory.ts"
import { isRetryable, processBatch } from "./batch-processor.ts"
import { startOutboxRelay } from "./outbox-relay.ts"
import { KafkaClient } from "./kafka-client.ts"
import { EventProducer } from "./producer.ts"
import { retryForever } from "./retry.ts"
import type { ServiceSchema } from "./service-schema.ts"
import type { TopicHandler } from "./topic-handler.ts"

export class ConsumerCrashed extends Schema.TaggedError<ConsumerCrashed>()("ConsumerCrashed", {
  group: Schema.String,
  reason: Schema.String
}) {}

export interface ConsumerOptions<R> {
  /** The service whose schema holds its processed events; also names the group. */
  readonly schema: ServiceSchema
  readonly handlers: ReadonlyArray<TopicHandler<any, R>>
  /** A group of the service's besides its main one: `<prefix><schema>-<group>`. */
  readonly group?: string
  /** Group members in this process (default `KAFKA_CONSUMERS_PER_SERVICE`). */
  readonly members?: number
}

/**
 * Consumes the handlers' topics in the service's consumer group, one transaction per fetched
 * batch, committing offsets only after that transaction commits. The consumer runs in a
 * supervised fiber: if it crashes it is rebuilt with backoff, and it stops with the scope.
 */
export const startSupervisedConsumer = <R>(options: ConsumerOptions<R>) =>
  Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    const config = yield* AppConfig
    const producer = yield* EventProducer
    const relay = yield* startOutboxRelay(options.schema)
    const context = yield* Effect.context<Database | TenantDirectory | R>()
    const groupId = `${config.kafka.groupPrefix}${options.schema}${options.group ? `-${options.group}` : ""}`
    const byTopic = new Map(options.handlers.map((handler) => [handler.topic, handler]))
    const run = Effect.runPromiseWith(context)

    const eachBatchOf = (consumer: Consumer) => async ({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload) => {
      const handler = byTopic.get(batch.topic)
      if (!handler || batch.messages.length === 0) return
      const started = performance.now()
      const messages = batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp }))
      // A transient failure is retried here, in place, so the partition neither skips nor spins.
      const outcome = await run(
        processBatch(options.schema, handler, messages).pipe(
          Effect.tapError((error) => Effect.logWarning(`${groupId}: batch on ${batch.topic}/${batch.partition} failed, retrying`, error.message)),
          Effect.retry({
            schedule: retryForever,
            while: (error) => isRetryable(error) && isRunning() && !isStale()
          }),
          Effect.tap((outcome) => outcome.deadLettered > 0 ? Effect.logWarning(`${groupId}: ${outcome.deadLettered} event(s) of ${batch.topic} sent to the dead-letter topic`) : Effect.void)
        )
      )
      const applied = performance.now()
      // Committed: what the batch emitted goes out, then the offsets move past it. Should the
      // publication not happen, the outbox still holds the events and its relay sends them.
      await run(producer.send(outcome.emitted).pipe(
        Effect.tapError((error) => Effect.logWarning(`${groupId}: publishing ${batch.topic}/${batch.partition}'s events failed, retrying`, error.message)),
        Effect.retry({ schedule: retryForever, while: () => isRunning() && !isStale() }),
        Effect.andThen(relay.published(outcome.outboxIds))
      ))
      const last = batch.messages[batch.messages.length - 1]!.offset
      resolveOffset(last)
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }])
      await heartbeat()
      run(Effect.logDebug(`${batch.topic}/${batch.partition}: ${messages.length} events in ${(performance.now() - started).toFixed(1)} ms (${(applied - started).toFixed(1)} ms applying)`))
    }

    const runOnce = Effect.scoped(
      Effect.gen(function*() {
        // A fresh consumer per attempt: a crashed kafkajs consumer is not reused.
        const consumer = kafka.consumer({
          groupId,
          allowAutoTopicCreation: true,
          sessionTimeout: config.kafka.sessionTimeoutMs,
          heartbeatInterval: Math.max(500, Math.floor(config.kafka.sessionTimeoutMs / 5)),
          rebalanceTimeout: Math.max(config.kafka.sessionTimeoutMs, 30_000),
          maxWaitTimeInMs: 500,
          // Measured with bench:flow on a 100k-event backlog: 128 KiB batches (about a thousand
          // events) keep peak memory at ~350 MiB instead of ~700, at the same throughput.
          maxBytesPerPartition: 128 * 1024,
          maxBytes: 1024 * 1024,
          retry: { retries: 10, initialRetryTime: 200 }
        })
        const crashed = yield* Deferred.make<never, ConsumerCrashed>()
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) Deferred.doneUnsafe(crashed, Effect.fail(new ConsumerCrashed({ group: groupId, reason: payload.error.message })))
        })
        yield* Effect.acquireRelease(
          Effect.tryPromise({ try: () => consumer.connect(), catch: (e) => new ConsumerCrashed({ group: groupId, reason: (e as Error).message }) }),
          () => Effect.promise(() => consumer.disconnect()).pipe(Effect.ignore)
        )
        yield* Effect.tryPromise({
          try: async () => {
            // A new group starts at the beginning: events produced before the service first ran are not lost.
            await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: true })
            await consumer.run({
              autoCommit: false,
              eachBatchAutoResolve: false,
              partitionsConsumedConcurrently: Math.max(1, config.kafka.topicPartitions * byTopic.size),
              eachBatch: eachBatchOf(consumer)
            })
          },
          catch: (e) => new ConsumerCrashed({ group: groupId, reason: (e as Error).message })
        })
        yield* Effect.logDebug(`${groupId} consuming ${[...byTopic.keys()].join(", ")}`)
        return yield* Deferred.await(crashed)
      })
    )

    const members = Math.max(1, options.members ?? config.kafka.consumersPerService)
    for (let member = 0; member < members; member++) {
      yield* runOnce.pipe(
        Effect.tapCause((cause) => Effect.logError(`${groupId} consumer stopped; restarting`, cause)),
        Effect.retry(retryForever),
        Effect.annotateLogs({ component: groupId, member }),
        Effect.forkScoped
      )
    }
  })
