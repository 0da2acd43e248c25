import { Effect, Result } from "effect"
import type { Sql } from "../../../db/database.ts"
import { ActivityEvent } from "../../../events/activity.ts"
import type { BackfillFulfillmentEvent } from "../../../events/backfill-fulfillment.ts"
import { BuyEvent } from "../../../events/buy.ts"
import { derivedEventId, offsetEventId } from "../../../events/event-id.ts"
import { Topics } from "../../../events/topics.ts"
import type { Tenant } from "../../../domain/primitives.ts"
import type { RawMessage } from "../../../kafka/dead-letter.ts"
import { makeEventDecoder } from "../../../kafka/decode-event.ts"
import { nextAfter } from "../../../kafka/offset-ranges.ts"
import { appendOutbox } from "../../../kafka/outbox.ts"
import { consumedFrom, firstOfEachKey } from "../../../kafka/consumed.ts"
import { markProcessed } from "../../../kafka/processed-events.ts"
import type { OutgoingMessage } from "../../../kafka/producer.ts"
import type { Consumed } from "../../../kafka/topic-handler.ts"
import { fulfillmentEventId, fulfillmentEventOf } from "../completion-event.ts"
import { progressKeys, type Qualifying, settle } from "../goals/settle.ts"
import { buildIndex, type TenantIndex } from "../matching.ts"
import { type Qualified, qualifyActivity, qualifyAmount } from "../qualify.ts"
import { type CompletionRecord, completionOf } from "../refunds/completion-record.ts"
import { recordCompletions } from "../refunds/completions-repo.ts"
import { orderRefOf } from "../refunds/held-application.ts"
import { remainingOf } from "../refunds/order.ts"
import { lockOrders } from "../refunds/orders-repo.ts"
import { RulesIndex } from "../rules-index.ts"
import { readDerivedProgress, writeDerivedProgress } from "./progress-repo.ts"
import { advanceDerivation, type Derivation, lockDerivation } from "./repo.ts"

const decodeBuy = makeEventDecoder(BuyEvent)
const decodeActivity = makeEventDecoder(ActivityEvent)

type Judgeable = BuyEvent | ActivityEvent

/** What the job's events are recorded as processed under: a record in the log twice (a producer's retry) is judged once. */
const processedName = (jobId: string) => `derive/${jobId}`

/** The batch's events of the job's tenant inside the job's range, as the live consumer decodes them (undecodable ones it dead-lettered). */
const eventsOf = (job: Derivation, topic: string, range: { current: string; end: string }, messages: ReadonlyArray<RawMessage>) =>
  messages.flatMap((raw): Array<Consumed<Judgeable>> => {
    const offset = BigInt(raw.offset)
    if (offset < BigInt(range.current) || offset >= BigInt(range.end)) return []
    const decoded: Result.Result<Judgeable, string> = topic === Topics.buy ? decodeBuy(raw.value) : decodeActivity(raw.value)
    if (Result.isFailure(decoded)) return []
    const event = decoded.success
    if (event.tenant !== job.tenant) return []
    return [consumedFrom(raw, event, { tenant: event.tenant, eventId: event.eventId ?? offsetEventId(topic, raw.partition, raw.offset), occurredAt: event.occurredAt })]
  })

/**
 * The purchases as the live consumer kept them: each judged on what is left of it after every
 * refund so far (its order locked, so a refund handled now waits for this batch, then finds and
 * takes back what it completed). A purchase the live consumer never kept is not judged either.
 */
const purchasesJudged = (tx: Sql, index: TenantIndex, purchases: ReadonlyArray<Consumed<BuyEvent>>) =>
  Effect.gen(function*() {
    const orders = yield* lockOrders(tx, [...new Map(purchases.map((c) => [`${c.tenant}\u0000${orderRefOf(c)}`, { tenant: c.tenant, orderId: orderRefOf(c) }])).values()])
    const lines = new Map(orders.flatMap((o) => o.lines.map((l) => [`${o.tenant}\u0000${l.eventId}`, l] as const)))
    return purchases.flatMap((c) => {
      const line = lines.get(`${c.tenant}\u0000${c.eventId}`)
      return line === undefined ? [] : [{ consumed: c, qualified: qualifyAmount(index, c.event.product, remainingOf(line), c.eventTime, orderRefOf(c), c.eventId) }]
    })
  })

const derivedMessage = (job: Derivation, event: BackfillFulfillmentEvent): OutgoingMessage =>
  ({ topic: Topics.backfillFulfillment, key: job.jobId, value: JSON.stringify(event) })

/**
 * One fetched batch of `buy` or `activity` in one transaction: the derivation locked, the events of
 * its tenant judged by its fulfillments where those never judged them live (before the bound of the
 * fulfillment on the partition), on the derivation's own goal progress, each completion recorded
 * for later refunds (buy) and written to the outbox for the job's campaign alone, and the
 * partition's offset moved past the batch. The last batch adds the end of the derivation.
 */
export const applyDerivedBatch = (tx: Sql, jobId: string, topic: string, partition: number, messages: ReadonlyArray<RawMessage>) =>
  Effect.gen(function*() {
    const job = yield* lockDerivation(tx, jobId)
    const none = { emitted: [] as ReadonlyArray<OutgoingMessage>, outboxId: undefined as string | undefined }
    if (!job || job.status === "done") return { ...none, done: true, topicDone: true }
    const range = job.ranges?.find((r) => r.topic === topic && r.partition === partition)
    const last = messages[messages.length - 1]
    if (!range || !last || !job.bounds || BigInt(range.current) >= BigInt(range.end) || BigInt(last.offset) < BigInt(range.current)) return { ...none, done: false, topicDone: false }
    const bounds = job.bounds
    const index = (yield* RulesIndex.use((rules) => rules.forTenants(tx, [job.tenant]))).get(job.tenant)
    const jobIndex = buildIndex((index?.rules ?? []).filter((r) => job.fulfillmentIds.includes(r.id.toLowerCase())))
    const inRange = firstOfEachKey(eventsOf(job, topic, range, messages))
    const fresh = yield* markProcessed(tx, "fulfillment", processedName(job.jobId), inRange.map((e) => ({ tenant: e.tenant, eventId: e.eventId })))
    const events = inRange.filter((e) => fresh.has(e.key))
    const qualified: ReadonlyArray<{ consumed: Consumed<Judgeable>; qualified: Qualified }> = topic === Topics.buy
      ? yield* purchasesJudged(tx, jobIndex, events as ReadonlyArray<Consumed<BuyEvent>>)
      : (events as ReadonlyArray<Consumed<ActivityEvent>>).map((c) => ({ consumed: c, qualified: qualifyActivity(jobIndex, c.event, c.eventTime, c.eventId) }))
    const unjudged = (ruleId: string, c: Consumed<Judgeable>) => {
      const bound = bounds[`${ruleId.toLowerCase()}/${topic}/${partition}`]
      return bound !== undefined && BigInt(c.offset) < BigInt(bound)
    }
    const judging = qualified.map(({ consumed, qualified: q }): Qualifying => ({
      tenant: consumed.tenant,
      userId: consumed.event.userId,
      contribution: q.contribution,
      rules: q.rules.filter((rule) => unjudged(rule.id, consumed))
    }))
    const stored = yield* readDerivedProgress(tx, job.jobId, progressKeys(judging))
    const { judged, changed } = settle(judging, stored)
    yield* writeDerivedProgress(tx, job.jobId, changed.values())
    const records: Array<CompletionRecord> = []
    const emitted: Array<OutgoingMessage> = []
    qualified.forEach(({ consumed }, i) => {
      for (const j of judged[i]!) {
        if (j.outcome.kind !== "completed") continue
        if (j.rule.kind === "buy") records.push(completionOf(consumed.tenant, consumed.event.userId, fulfillmentEventId(consumed.eventId, j.rule.id), j.rule, j.outcome.used))
        emitted.push(derivedMessage(job, { kind: "completion", jobId: job.jobId, tenant: consumed.event.tenant, completion: fulfillmentEventOf(consumed, j.rule, j.outcome.used) }))
      }
    })
    yield* recordCompletions(tx, records)
    const read = messages.filter((m) => BigInt(m.offset) >= BigInt(range.current) && BigInt(m.offset) < BigInt(range.end)).length
    const { done, topicDone } = yield* advanceDerivation(tx, job, { topic, partition, next: nextAfter(range, last.offset), read, completions: emitted.length })
    if (done) emitted.push(endOf(job, emitted.length))
    const outboxId = yield* appendOutbox(tx, "fulfillment", emitted)
    return { emitted, outboxId, done, topicDone }
  })

/** The message that ends a derivation, after every completion it found. */
const endOf = (job: Derivation, lastBatch: number): OutgoingMessage =>
  derivedMessage(job, { kind: "end", jobId: job.jobId, tenant: job.tenant as Tenant, eventId: derivedEventId("derivation-end", job.jobId), completions: job.completions + lastBatch })

/** A derivation with nothing to read ends at once: its end is all it sends. */
export const finishEmpty = (tx: Sql, jobId: string) =>
  Effect.gen(function*() {
    const job = yield* lockDerivation(tx, jobId)
    if (!job || job.status === "done" || !job.ranges || job.ranges.some((r) => BigInt(r.current) < BigInt(r.end))) return { emitted: [], outboxId: undefined }
    yield* advanceDerivation(tx, job, { topic: "", partition: -1, next: "0", read: 0, completions: 0 })
    const emitted = [endOf(job, 0)]
    return { emitted, outboxId: yield* appendOutbox(tx, "fulfillment", emitted) }
  })
