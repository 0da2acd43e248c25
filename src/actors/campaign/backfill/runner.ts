import { Effect, FiberSet } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import { Database } from "../../../db/database.ts"
import { Topics } from "../../../events/topics.ts"
import type { RawMessage } from "../../../kafka/dead-letter.ts"
import { KafkaClient, kafkaCall } from "../../../kafka/kafka-client.ts"
import { lazyAdmin } from "../../../kafka/lazy-admin.ts"
import { startJobRunner } from "../../../kafka/job-runner.ts"
import { EventProducer } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import { retryForever } from "../../../kafka/retry.ts"
import { applyBackfillBatch, applyDerivedBatch, applyRefundsBatch } from "./apply.ts"
import type { BackfillPartition } from "./model.ts"
import { rangeSince, unread } from "../../../kafka/offset-ranges.ts"
import { readRanges } from "../../../kafka/range-reader.ts"
import { lockJob, runningJobs, setRefundRange, type StoredBackfill, unbounded } from "./repo.ts"

/** One phase of a job: its topic read over its ranges in a consumer group of the job's own. */
const readPhase = (job: StoredBackfill, topic: string, phase: string, ranges: ReadonlyArray<BackfillPartition>, apply: (partition: number, messages: ReadonlyArray<RawMessage>) => Promise<boolean>) =>
  Effect.gen(function*() {
    const config = yield* AppConfig
    yield* Effect.logInfo(`backfill ${job.id} of campaign ${job.campaignId} reading ${topic}`)
    yield* readRanges(`${config.kafka.groupPrefix}campaign-backfill-${job.id}${phase}`, topic, ranges, apply)
  })

/**
 * Runs one job to its end in three phases. First the refunds: `fulfillment-revoked` from the first
 * offset at or after `from` to the log's end when the phase first starts (measured once, after the
 * job's row exists: a refund recorded later is kept for the job by the live consumer), each
 * batch's refunds of the campaign kept with the job. Then the completions: `fulfillment` over the
 * range fixed at the start, then the job's own on `backfill-fulfillment` (what the fulfillment
 * service derived from the records its fulfillments never judged) up to the derivation's end,
 * each batch applied in one transaction with the job's offsets.
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
      const ranges = yield* kafkaCall(async () => rangeSince(await admin.connected(), Topics.fulfillmentRevoked, job.from)).pipe(Effect.ensuring(Effect.promise(() => admin.close()).pipe(Effect.ignore)))
      yield* setRefundRange(db.sql, job.id, ranges)
      job = (yield* db.transaction((tx) => lockJob(tx, job.id))) ?? job
    }
    if (job.phase === "refunds" && unread(job.refunds ?? [])) {
      yield* readPhase(job, Topics.fulfillmentRevoked, "-refunds", job.refunds ?? [], async (partition, messages) =>
        (await run(db.transaction((tx) => applyRefundsBatch(tx, job.id, partition, messages)).pipe(Effect.retry(retryForever)))).done)
      job = (yield* db.transaction((tx) => lockJob(tx, job.id))) ?? job
    }
    if (job.phase === "fulfillments" && unread(job.partitions)) {
      yield* readPhase(job, Topics.fulfillment, "", job.partitions, async (partition, messages) => {
        const outcome = await run(db.transaction((tx) => applyBackfillBatch(tx, job.id, partition, messages)).pipe(Effect.retry(retryForever)))
        await run(publishCommitted(db, producer, "campaign", outcome.outboxId, outcome.emitted))
        return outcome.done
      })
      job = (yield* db.transaction((tx) => lockJob(tx, job.id))) ?? job
    }
    if (job.status === "running" && job.derived !== undefined && !job.derivedDone) {
      // The derivation's end message says where the phase ends; until then it reads on.
      const from = job.derived.map((p) => ({ ...p, end: unbounded }))
      yield* readPhase(job, Topics.backfillFulfillment, "-derived", from, async (partition, messages) => {
        const outcome = await run(db.transaction((tx) => applyDerivedBatch(tx, job.id, partition, messages)).pipe(Effect.retry(retryForever)))
        await run(publishCommitted(db, producer, "campaign", outcome.outboxId, outcome.emitted))
        return outcome.done
      })
    }
    yield* Effect.logInfo(`backfill ${job.id} of campaign ${job.campaignId} is done`)
  }).pipe(Effect.scoped)

/** Runs every running backfill job to its end, in whichever process looks first. */
export const startBackfillRunner = Effect.gen(function*() {
  const db = yield* Database
  yield* startJobRunner({ name: "backfill", running: runningJobs(db.sql), idOf: (job) => job.id, run: runJob })
})
