import { Deferred, Effect, FiberSet, Schedule } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import { Database } from "../../../db/database.ts"
import { Topics } from "../../../events/topics.ts"
import { KafkaClient } from "../../../kafka/kafka-client.ts"
import { EventProducer } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import { retryForever } from "../../../kafka/retry.ts"
import { applyBackfillBatch } from "./apply.ts"
import type { Backfill } from "./model.ts"
import { runningJobs } from "./repo.ts"

/**
 * Runs one job to its end: a consumer group of its own reads `fulfillment` from the offsets the
 * job stored (where its last committed batch ended) and applies each batch in one transaction
 * with the job's offsets; it ends when every partition reached the end fixed at the start.
 */
const runJob = (job: Backfill) =>
  Effect.scoped(Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    const config = yield* AppConfig
    const db = yield* Database
    const producer = yield* EventProducer
    const finished = yield* Deferred.make<void>()
    const run = yield* FiberSet.makeRuntimePromise<never>()
    const consumer = kafka.consumer({ groupId: `${config.kafka.groupPrefix}campaign-backfill-${job.id}`, maxWaitTimeInMs: 500, maxBytesPerPartition: 512 * 1024 })
    yield* Effect.addFinalizer(() => Effect.promise(() => consumer.disconnect()).pipe(Effect.timeout(3000), Effect.ignore))
    yield* Effect.promise(() => consumer.connect())
    yield* Effect.promise(() => consumer.subscribe({ topics: [Topics.fulfillment], fromBeginning: true }))
    yield* Effect.promise(() =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
          const messages = batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp }))
          const outcome = await run(db.transaction((tx) => applyBackfillBatch(tx, job.id, batch.partition, messages)).pipe(Effect.retry(retryForever)))
          await run(publishCommitted(db, producer, "campaign", outcome.outboxId, outcome.emitted))
          // The job's row is what a restart resumes from; the group's offset only saves it fetching what it has read.
          const last = batch.messages[batch.messages.length - 1]
          if (last) {
            resolveOffset(last.offset)
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]).catch(() => undefined)
          }
          await heartbeat()
          if (outcome.done) Deferred.doneUnsafe(finished, Effect.void)
        }
      })
    )
    // Each partition starts where the job's last committed batch left it.
    for (const p of job.partitions) {
      if (BigInt(p.current) < BigInt(p.end)) consumer.seek({ topic: Topics.fulfillment, partition: p.partition, offset: p.current })
    }
    yield* Effect.logInfo(`backfill ${job.id} of campaign ${job.campaignId} reading ${Topics.fulfillment}`)
    yield* Deferred.await(finished)
    yield* Effect.logInfo(`backfill ${job.id} of campaign ${job.campaignId} is done`)
  }))

/**
 * Every process looks for running jobs once a second and runs those it is not running yet (a
 * job started here, or left running by a process that stopped or crashed). Two processes running
 * the same job meet on its row's lock, and the second finds the offsets already moved.
 */
export const startBackfillRunner = Effect.gen(function*() {
  const db = yield* Database
  const active = new Set<string>()
  const jobs = yield* FiberSet.make()
  const tick = runningJobs(db.sql).pipe(
    Effect.flatMap((found) =>
      Effect.forEach(found.filter((job) => !active.has(job.id)), (job) =>
        FiberSet.run(jobs, Effect.sync(() => active.add(job.id)).pipe(
          Effect.andThen(runJob(job).pipe(Effect.tapCause((cause) => Effect.logError(`backfill ${job.id} stopped; it resumes`, cause)))),
          Effect.ensuring(Effect.sync(() => active.delete(job.id))),
          Effect.ignore
        )), { discard: true })
    ),
    Effect.catchCause((cause) => Effect.logWarning("backfill jobs unreadable, trying again", cause))
  )
  yield* tick.pipe(Effect.repeat(Schedule.spaced("1 second")), Effect.forkScoped)
})
