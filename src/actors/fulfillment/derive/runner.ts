import { Effect, FiberSet, Schedule } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import { Database } from "../../../db/database.ts"
import { Topics } from "../../../events/topics.ts"
import { KafkaClient, kafkaCall } from "../../../kafka/kafka-client.ts"
import { startJobRunner } from "../../../kafka/job-runner.ts"
import { lazyAdmin } from "../../../kafka/lazy-admin.ts"
import { rangeSince } from "../../../kafka/offset-ranges.ts"
import { EventProducer } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import { readRanges } from "../../../kafka/range-reader.ts"
import { retryForever } from "../../../kafka/retry.ts"
import { RulesIndex } from "../rules-index.ts"
import { applyDerivedBatch, finishEmpty } from "./apply.ts"
import { everyPartition, startsOf } from "./rule-starts.ts"
import { type Derivation, lockDerivation, runningDerivations, setBounds, setRanges, type TopicRange } from "./repo.ts"

const judged = [Topics.buy, Topics.activity] as const

/**
 * Whether the live consumer has committed past the end of every range: every record a
 * fulfillment judged live before the ranges' end has its start recorded by then.
 */
const liveCaughtUp = (admin: ReturnType<typeof lazyAdmin>, groupId: string, ranges: ReadonlyArray<TopicRange>) =>
  kafkaCall(async () => {
    const committed = await (await admin.connected()).fetchOffsets({ groupId, topics: [...judged] })
    const at = new Map(committed.flatMap((t) => t.partitions.map((p) => [`${t.topic}/${p.partition}`, BigInt(p.offset)] as const)))
    return ranges.every((r) => BigInt(r.start) >= BigInt(r.end) || (at.get(`${r.topic}/${r.partition}`) ?? -1n) >= BigInt(r.end))
  })

/**
 * Per fulfillment of the job and partition: derived are the records before where it started
 * judging live (its recorded start there, or on every partition), else all of the range.
 */
const boundsOf = (job: Derivation, ranges: ReadonlyArray<TopicRange>) =>
  Effect.gen(function*() {
    const db = yield* Database
    const bounds: Record<string, string> = {}
    for (const topic of judged) {
      const starts = yield* startsOf(db.sql, job.tenant, topic, job.fulfillmentIds)
      for (const range of ranges.filter((r) => r.topic === topic)) {
        for (const id of job.fulfillmentIds) {
          const start = starts.get(`${id}/${range.partition}`) ?? starts.get(`${id}/${everyPartition}`)
          bounds[`${id}/${topic}/${range.partition}`] = (start === undefined || start > BigInt(range.end) ? BigInt(range.end) : start).toString()
        }
      }
    }
    return bounds
  })

/**
 * Runs one derivation to its end: its ranges of `buy` and `activity` measured once (from the
 * first offset at or after `from` to the log's end then), its bounds fixed once the live consumer
 * has passed those ends, then each topic read over its ranges, each batch in one transaction.
 */
const runDerivation = (stored: Derivation) =>
  Effect.gen(function*() {
    const db = yield* Database
    const producer = yield* EventProducer
    const config = yield* AppConfig
    const { kafka } = yield* KafkaClient
    const run = yield* FiberSet.makeRuntimePromise<RulesIndex>()
    const admin = lazyAdmin(kafka)
    yield* Effect.addFinalizer(() => Effect.promise(() => admin.close()).pipe(Effect.ignore))
    let job = stored
    const reload = Effect.gen(function*() {
      job = (yield* db.transaction((tx) => lockDerivation(tx, job.jobId))) ?? job
    })
    if (job.ranges === undefined) {
      const ranges = yield* kafkaCall(async () => {
        const client = await admin.connected()
        return (await Promise.all(judged.map(async (topic) => (await rangeSince(client, topic, job.from)).map((r) => ({ topic, ...r }))))).flat()
      })
      yield* setRanges(db.sql, job.jobId, ranges)
      yield* reload
    }
    const ranges = job.ranges ?? []
    if (job.bounds === undefined) {
      const groupId = `${config.kafka.groupPrefix}fulfillment`
      yield* liveCaughtUp(admin, groupId, ranges).pipe(
        Effect.repeat({ until: (caught) => caught, schedule: Schedule.spaced("1 second") })
      )
      yield* setBounds(db.sql, job.jobId, yield* boundsOf(job, ranges))
      yield* reload
    }
    for (const topic of judged) {
      const mine = ranges.filter((r) => r.topic === topic && BigInt(r.current) < BigInt(r.end))
      if (mine.length === 0) continue
      yield* Effect.logInfo(`derivation of backfill ${job.jobId} reading ${topic}`)
      yield* readRanges(`${config.kafka.groupPrefix}fulfillment-derive-${job.jobId}-${topic}`, topic, mine, async (partition, messages) => {
        const outcome = await run(db.transaction((tx) => applyDerivedBatch(tx, job.jobId, topic, partition, messages)).pipe(Effect.retry(retryForever)))
        await run(publishCommitted(db, producer, "fulfillment", outcome.outboxId, outcome.emitted))
        return outcome.topicDone
      })
    }
    const ended = yield* db.transaction((tx) => finishEmpty(tx, job.jobId))
    yield* publishCommitted(db, producer, "fulfillment", ended.outboxId, ended.emitted)
    yield* Effect.logInfo(`derivation of backfill ${job.jobId} is done`)
  }).pipe(Effect.scoped)

/** Runs every running derivation to its end, in whichever process looks first. */
export const startDerivationRunner = Effect.gen(function*() {
  const db = yield* Database
  yield* startJobRunner({ name: "derivation", running: runningDerivations(db.sql), idOf: (job) => job.jobId, run: runDerivation })
})
