import { Deferred, Effect, FiberSet, Schedule } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import { Database } from "../../../db/database.ts"
import { Topics } from "../../../events/topics.ts"
import type { RawMessage } from "../../../kafka/dead-letter.ts"
import { KafkaClient, KafkaUnavailable } from "../../../kafka/kafka-client.ts"
import { lazyAdmin } from "../../../kafka/lazy-admin.ts"
import { EventProducer } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import { retryForever } from "../../../kafka/retry.ts"
import { applyBackfillBatch, applyRefundsBatch } from "./apply.ts"
import type { BackfillPartition } from "./model.ts"
import { rangeSince } from "./ranges.ts"
import { lockJob, runningJobs, setRefundRange, type StoredBackfill } from "./repo.ts"

/**
 * Reads `topic` over `ranges` in a consumer group of the job's own (one per phase) and hands each
 * fetched batch to `apply`, which commits it with the job's offsets; ends once `apply` says the
 * phase is done. The group's offsets only save a restart fetching what it has read: the job's row
 * is what it resumes from.
 */
const readPhase = (job: StoredBackfill, topic: string, phase: string, ranges: ReadonlyArray<BackfillPartition>, apply: (partition: number, messages: ReadonlyArray<RawMessage>) => Promise<boolean>) =>
  Effect.scoped(Effect.gen(function*() {
    const { kafka } = yield* KafkaClient
    const config = yield* AppConfig
    const finished = yield* Deferred.make<void>()
    const consumer = kafka.consumer({ groupId: `${config.kafka.groupPrefix}campaign-backfill-${job.id}${phase}`, maxWaitTimeInMs: 500, maxBytesPerPartition: 512 * 1024 })
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
    yield* Effect.logInfo(`backfill ${job.id} of campaign ${job.campaignId} reading ${topic}`)
    yield* Deferred.await(finished)
  }))

const unread = (ranges: ReadonlyArray<BackfillPartition>) => ranges.some((p) => BigInt(p.current) < BigInt(p.end))

/**
 * Runs one job to its end in two phases. First the refunds: `fulfillment-revoked` from the first
 * offset at or after `from` to the log's end when the phase first starts (measured once, after the
 * job's row exists: a refund recorded later is kept for the job by the live consumer), each
 * batch's refunds of the campaign kept with the job. Then the purchases: `fulfillment` over the
 * range fixed at the start, each batch applied in one transaction with the job's offsets.
 */
const runJob = (stored: StoredBackfill) =>
  Effect.gen(function*() {
    const db = yield* Database
    const producer = yield* EventProducer
    const { kafka } = yield* KafkaClient
    const run = yield* FiberSet.makeRuntimePromise<never>()
    let job = stored
    if (job.refunds === undefined) {
      const admin = lazyAdmin(kafka)
      const ranges = yield* Effect.tryPromise({
        try: async () => rangeSince(await admin.connected(), Topics.fulfillmentRevoked, job.from),
        catch: (error) => new KafkaUnavailable({ reason: error instanceof Error ? error.message : String(error) })
      }).pipe(Effect.ensuring(Effect.promise(() => admin.close()).pipe(Effect.ignore)))
      yield* setRefundRange(db.sql, job.id, ranges)
      job = (yield* db.transaction((tx) => lockJob(tx, job.id))) ?? job
    }
    if (job.phase === "refunds" && unread(job.refunds ?? [])) {
      yield* readPhase(job, Topics.fulfillmentRevoked, "-refunds", job.refunds ?? [], async (partition, messages) =>
        (await run(db.transaction((tx) => applyRefundsBatch(tx, job.id, partition, messages)).pipe(Effect.retry(retryForever)))).done)
      job = (yield* db.transaction((tx) => lockJob(tx, job.id))) ?? job
    }
    if (job.status === "running") {
      yield* readPhase(job, Topics.fulfillment, "", job.partitions, async (partition, messages) => {
        const outcome = await run(db.transaction((tx) => applyBackfillBatch(tx, job.id, partition, messages)).pipe(Effect.retry(retryForever)))
        await run(publishCommitted(db, producer, "campaign", outcome.outboxId, outcome.emitted))
        return outcome.done
      })
    }
    yield* Effect.logInfo(`backfill ${job.id} of campaign ${job.campaignId} is done`)
  }).pipe(Effect.scoped)

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
