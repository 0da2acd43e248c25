import { Cause, Deferred, Effect, FiberSet } from "effect"
import type { Consumer, EachBatchPayload } from "kafkajs"
import { AppConfig } from "../config/app-config.ts"
import type { Database } from "../db/database.ts"
import type { TenantDirectory } from "../tenants/directory.ts"
import { isRetryable, processBatch } from "./batch-processor.ts"
import { batchProgress, type BatchProgress, watchForStall } from "./batch-progress.ts"
import { ConsumerCrashed, isRebalancing, reasonOf, reasonOfCause } from "./consumer-errors.ts"
import { deadLetterLogLines } from "./dead-letter.ts"
import { batchSteps, consumedEvents, since } from "../observability/metrics.ts"
import { ConsumerHealth, type MemberStatus } from "./consumer-health.ts"
import { startOutboxRelay } from "./outbox-relay.ts"
import { KafkaClient } from "./kafka-client.ts"
import { EventProducer } from "./producer.ts"
import { retryForever } from "./retry.ts"
import type { ServiceSchema } from "./service-schema.ts"
import type { TopicHandler } from "./topic-handler.ts"

export interface ConsumerOptions<R> {
  /** The service whose schema holds its processed events; also names the group. */
  readonly schema: ServiceSchema
  readonly handlers: ReadonlyArray<TopicHandler<any, R>>
  /** A group of the service's besides its main one: `<prefix><schema>-<group>`. */
  readonly group?: string
  /** Group members in this process (default `KAFKA_CONSUMERS_PER_SERVICE`). */
  readonly members?: number
}

// Within the process's shutdown bound (LOYALTEA_SHUTDOWN_TIMEOUT_MS, 10 s by default) with room to spare.
const disconnectTimeoutMs = 3000

/**
 * Consumes the handlers' topics in the service's consumer group, one transaction per fetched
 * batch, committing offsets only after that transaction commits. Each group member runs in a
 * supervised fiber: when it crashes, or a batch of it makes no progress for longer than the stall
 * bound, its batches are interrupted, it leaves the group and a new one replaces it, with
 * backoff; it stops with the scope. Whatever an interrupted batch did is either committed (and a
 * redelivery is a no-op) or not at all.
 */
export const startSupervisedConsumer = <R>(options: ConsumerOptions<R>) =>
  Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    const config = yield* AppConfig
    const producer = yield* EventProducer
    const health = yield* ConsumerHealth
    const relay = yield* startOutboxRelay(options.schema)
    const context = yield* Effect.context<Database | TenantDirectory | R>()
    const groupId = `${config.kafka.groupPrefix}${options.schema}${options.group ? `-${options.group}` : ""}`
    const byTopic = new Map(options.handlers.map((handler) => [handler.topic, handler]))
    const log = (effect: Effect.Effect<void>) => void Effect.runForkWith(context)(effect)

    const eachBatchOf = (
      consumer: Consumer,
      run: <A>(effect: Effect.Effect<A, unknown, Database | TenantDirectory | R>) => Promise<A>,
      progress: BatchProgress,
      closing: () => boolean,
      commits: Map<string, Promise<void>>
    ) =>
      async ({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload) => {
        const handler = byTopic.get(batch.topic)
        if (!handler || batch.messages.length === 0) return
        const key = `${batch.topic}/${batch.partition}`
        const step = (name: string) => Effect.sync(() => progress.step(key, name))
        const started = performance.now()
        const messages = batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp }))
        try {
          // A transient failure is retried here, in place, so the partition neither skips nor spins.
          const outcome = await run(
            step("applying").pipe(
              Effect.andThen(processBatch(options.schema, handler, messages)),
              Effect.tapError((error) => Effect.logWarning(`${groupId}: batch on ${key} failed, retrying`, error.message)),
              Effect.retry({
                schedule: retryForever,
                while: (error) => isRetryable(error) && isRunning() && !isStale()
              }),
              Effect.tap((outcome) =>
                outcome.deadLettered > 0 ? Effect.forEach(deadLetterLogLines(outcome.emitted), (line) => Effect.logWarning(`${groupId}: ${line}`), { discard: true }) : Effect.void
              )
            )
          )
          const applied = performance.now()
          const labels = { group: groupId, topic: batch.topic }
          consumedEvents.inc({ ...labels, outcome: "applied" }, outcome.applied)
          consumedEvents.inc({ ...labels, outcome: "duplicate" }, outcome.duplicates)
          consumedEvents.inc({ ...labels, outcome: "dead_lettered" }, outcome.deadLettered)
          batchSteps.observe({ ...labels, step: "apply" }, (applied - started) / 1000)
          // Committed: what the batch emitted goes out, then the offsets move past it. Should the
          // publication not happen, the outbox still holds the events and its relay sends them.
          await run(step("publishing the events of").pipe(
            Effect.andThen(producer.send(outcome.emitted)),
            Effect.tapError((error) => Effect.logWarning(`${groupId}: publishing ${key}'s events failed, retrying`, error.message)),
            Effect.retry({ schedule: retryForever, while: () => isRunning() && !isStale() }),
            Effect.andThen(relay.published(outcome.outboxIds))
          ))
          const published = performance.now()
          batchSteps.observe({ ...labels, step: "publish" }, (published - applied) / 1000)
          const last = batch.messages[batch.messages.length - 1]!.offset
          resolveOffset(last)
          const offset = (BigInt(last) + 1n).toString()
          const commit = (commits.get(key) ?? Promise.resolve()).then(() => consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }])).then(
            () => batchSteps.observe({ ...labels, step: "commit" }, since(published)),
            (error) => {
              if (isRebalancing(error)) log(Effect.logInfo(`${groupId}: the group rebalanced while ${key} was applied; its offsets are left to the partition's next owner`))
              else log(Effect.logWarning(`${groupId}: committing the offsets of ${key} failed; the next batch's commit covers them`, reasonOf(error)))
            }
          )
          commits.set(key, commit)
          await heartbeat().catch((error) => {
            if (!isRebalancing(error)) throw error
          })
          log(Effect.logDebug(`${key}: ${messages.length} events in ${(performance.now() - started).toFixed(1)} ms (${(applied - started).toFixed(1)} ms applying)`))
        } catch (error) {
          // Interrupted because this consumer is going away: nothing was committed past the last
          // committed offset, and the batch comes again to whoever gets the partition.
          if (closing()) return
          throw error
        } finally {
          progress.done(key)
        }
      }

    const runOnce = (status: MemberStatus, started: Deferred.Deferred<void>) =>
      Effect.scoped(
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
            // Restarting is this supervisor's job: kafkajs restarting a consumer on its own waits
            // for its running batches first, and a batch stuck there would hold it forever.
            retry: { retries: 10, initialRetryTime: 200, restartOnFailure: async () => false }
          })
          const crashed = yield* Deferred.make<never, ConsumerCrashed>()
          consumer.on(consumer.events.CRASH, ({ payload }) => {
            Deferred.doneUnsafe(crashed, Effect.fail(new ConsumerCrashed({ group: groupId, reason: payload.error.message })))
          })
          // Leaving the group lets the others take the partitions at once; a broker that does not
          // answer soon gets the session timeout instead. Registered before connecting, so that an
          // interrupted connect is undone too.
          yield* Effect.addFinalizer(() => Effect.promise(() => consumer.disconnect()).pipe(Effect.timeout(disconnectTimeoutMs), Effect.ignore))
          yield* Effect.tryPromise({ try: () => consumer.connect(), catch: (e) => new ConsumerCrashed({ group: groupId, reason: reasonOf(e) }) })
          // Created after the consumer, so closed before it: batches are interrupted first, and
          // then the consumer, no longer waiting for them, disconnects.
          const run = yield* FiberSet.makeRuntimePromise<Database | TenantDirectory | R>()
          let closing = false
          yield* Effect.addFinalizer(() => Effect.sync(() => void (closing = true)))
          const progress = batchProgress()
          // Each partition's offset commits, in order, off the batches' path: the next batch is
          // fetched and applied while the broker takes the last one's commit. A commit that never
          // lands only means that batch comes again, and finds every event already processed.
          // Stopping waits (briefly) for them, so a clean restart redelivers nothing.
          const commits = new Map<string, Promise<void>>()
          yield* Effect.addFinalizer(() =>
            Effect.promise(() => Promise.all(commits.values())).pipe(Effect.timeout(disconnectTimeoutMs), Effect.ignore)
          )
          yield* Effect.tryPromise({
            try: async () => {
              // A new group starts at the beginning: events produced before the service first ran are not lost.
              await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: true })
              await consumer.run({
                autoCommit: false,
                eachBatchAutoResolve: false,
                partitionsConsumedConcurrently: Math.max(1, config.kafka.topicPartitions * byTopic.size),
                eachBatch: eachBatchOf(consumer, run, progress, () => closing, commits)
              })
            },
            catch: (e) => new ConsumerCrashed({ group: groupId, reason: reasonOf(e) })
          })
          status.set("running")
          Deferred.doneUnsafe(started, Effect.void)
          yield* Effect.logDebug(`${groupId} consuming ${[...byTopic.keys()].join(", ")}`)
          return yield* Effect.raceFirst(
            Deferred.await(crashed),
            watchForStall(progress, groupId, config.kafka.stallTimeoutMs).pipe(
              Effect.tapError((stalled) => Effect.sync(() => status.set("stalled", stalled.message)))
            )
          )
        })
      )

    const members = Math.max(1, options.members ?? config.kafka.consumersPerService)
    const started: Array<Deferred.Deferred<void>> = []
    const supervised: Array<Effect.Effect<unknown, unknown, Database | TenantDirectory | R>> = []
    for (let member = 0; member < members; member++) {
      const status = health.register(options.schema, groupId, member)
      const first = yield* Deferred.make<void>()
      started.push(first)
      supervised.push(Effect.suspend(() => runOnce(status, first)).pipe(
        Effect.tapCause((cause) =>
          Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.sync(() => {
            status.set("restarting", reasonOfCause(cause))
            Deferred.doneUnsafe(first, Effect.void)
          }).pipe(Effect.andThen(Effect.logError(`${groupId} consumer stopped; restarting`, cause)))
        ),
        Effect.retry(retryForever),
        Effect.annotateLogs({ component: groupId, member })
      ))
    }
    // One fiber over all members: at shutdown they are interrupted, and leave the group, together.
    yield* Effect.all(supervised, { concurrency: "unbounded", discard: true }).pipe(Effect.forkScoped)
    // The service counts as started once every member has joined its group (or failed to once).
    yield* Effect.forEach(started, Deferred.await, { discard: true }).pipe(Effect.timeout(config.kafka.stallTimeoutMs), Effect.ignore)
  })
