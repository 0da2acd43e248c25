import { Effect, Result } from "effect"
import { Database } from "../db/database.ts"
import { type DatabaseError, isTransient } from "../db/errors.ts"
import { offsetEventId } from "../events/event-id.ts"
import { truncated } from "../platform/bounded-text.ts"
import { TenantDirectory } from "../tenants/directory.ts"
import { deadLetterFor, maxReasonLength, type RawMessage } from "./dead-letter.ts"
import type { KafkaUnavailable } from "./kafka-client.ts"
import { consumedFrom, firstOfEachKey } from "./consumed.ts"
import { appendOutbox } from "./outbox.ts"
import { keyOf, markProcessed } from "./processed-events.ts"
import type { OutgoingMessage } from "./producer.ts"
import type { ServiceSchema } from "./service-schema.ts"
import type { Consumed, Emitted, TopicHandler } from "./topic-handler.ts"

export interface BatchOutcome {
  readonly applied: number
  readonly duplicates: number
  readonly deadLettered: number
  /** What the batch emitted, in its order: to publish once the transaction has committed. */
  readonly emitted: ReadonlyArray<OutgoingMessage>
  /** The outbox rows holding `emitted`, to delete once it is published. */
  readonly outboxIds: ReadonlyArray<string>
}

export type BatchError = DatabaseError | KafkaUnavailable

/** Whether trying the same batch again later can succeed (an outage, a lost race). */
export const isRetryable = (error: BatchError): boolean => error._tag === "KafkaUnavailable" || isTransient(error)

type Item<A> =
  | { readonly kind: "valid"; readonly key: string; readonly consumed: Consumed<A>; readonly raw: RawMessage }
  | { readonly kind: "invalid"; readonly key: string; readonly tenant: string; readonly eventId: string; readonly reason: string; readonly raw: RawMessage }

// A message that does not decode belongs to no tenant; its id comes from its offset, which no client can claim.
const noTenant = ""

const invalid = <A>(raw: RawMessage, tenant: string, eventId: string, reason: string): Item<A> =>
  ({ kind: "invalid", key: keyOf({ tenant, eventId }), tenant, eventId, reason, raw })

const classify = <A, R>(handler: TopicHandler<A, R>, raw: RawMessage): Item<A> => {
  const decoded = handler.decode(raw.value)
  const fallbackId = offsetEventId(raw.topic, raw.partition, raw.offset)
  if (Result.isFailure(decoded)) return invalid(raw, noTenant, fallbackId, decoded.failure)
  const consumed = consumedFrom(raw, decoded.success, {
    tenant: handler.tenantOf(decoded.success),
    eventId: handler.eventIdOf(decoded.success) ?? fallbackId,
    occurredAt: handler.occurredAtOf(decoded.success)
  })
  return { kind: "valid", key: consumed.key, raw, consumed }
}

/** Events of tenants that do not exist are dead-lettered with that reason, never applied or dropped. */
const refuseUnknownTenants = <A, R>(handler: TopicHandler<A, R>, items: ReadonlyArray<Item<A>>) =>
  Effect.gen(function*() {
    if (!handler.knownTenantsOnly) return items
    const tenants = items.flatMap((item) => (item.kind === "valid" ? [item.consumed.tenant] : []))
    if (tenants.length === 0) return items
    const known = yield* TenantDirectory.use((directory) => directory.known(tenants))
    return items.map((item) =>
      item.kind === "valid" && !known.has(item.consumed.tenant)
        ? invalid<A>(item.raw, item.consumed.tenant, item.consumed.eventId, `unknown tenant ${item.consumed.tenant}`)
        : item
    )
  })

const identity = <A>(item: Item<A>) =>
  item.kind === "valid" ? { tenant: item.consumed.tenant, eventId: item.consumed.eventId } : { tenant: item.tenant, eventId: item.eventId }

const inCauseOrder = (emitted: ReadonlyArray<Emitted>, causes: ReadonlyArray<string>) => {
  const grouped = new Map<string, Array<OutgoingMessage>>(causes.map((cause) => [cause, []]))
  for (const { cause, ...message } of emitted) {
    const list = grouped.get(cause)
    if (!list) throw new Error(`a handler emitted an event for ${JSON.stringify(cause)}, which is not in its batch`)
    list.push(message)
  }
  return grouped
}

/**
 * One transaction: record the ids as processed (those seen before are skipped), apply the new
 * events, and write what they emit (and the dead letters), in the batch's order, to the outbox.
 */
const applyInOneTransaction = <A, R>(schema: ServiceSchema, handler: TopicHandler<A, R>, items: ReadonlyArray<Item<A>>) =>
  Effect.gen(function*() {
    const db = yield* Database
    const unique = firstOfEachKey(items)
    return yield* db.transaction((tx) =>
      Effect.gen(function*() {
        // Events the handler has no work for are not recorded: nothing to repeat on a redelivery.
        const concerned = handler.concerned === undefined ? undefined : yield* handler.concerned(tx, unique.flatMap((item) => (item.kind === "valid" ? [item.consumed] : [])))
        const recorded = concerned === undefined ? unique : unique.filter((item) => item.kind === "invalid" || concerned.has(item.key))
        const ignored = unique.length - recorded.length
        const fresh = yield* markProcessed(tx, schema, handler.processedAs, recorded.map(identity))
        const applied = recorded.filter((item) => fresh.has(item.key))
        const valid = applied.flatMap((item) => (item.kind === "valid" ? [item.consumed] : []))
        const derived = valid.length > 0 ? yield* handler.handle(tx, valid) : []
        const emittedBy = yield* Effect.try({ try: () => inCauseOrder(derived, valid.map((c) => c.key)), catch: (e) => e }).pipe(Effect.orDie)
        const emitted = applied.flatMap((item) =>
          item.kind === "valid" ? (emittedBy.get(item.key) ?? []) : handler.deadLetters ? [deadLetterFor(item.raw, item.reason)] : []
        )
        const outboxId = yield* appendOutbox(tx, schema, emitted)
        return {
          applied: valid.length + ignored,
          duplicates: items.length - applied.length - ignored,
          deadLettered: applied.length - valid.length,
          emitted,
          outboxIds: outboxId === undefined ? [] : [outboxId]
        } satisfies BatchOutcome
      })
    )
  })

const sum = (outcomes: ReadonlyArray<BatchOutcome>): BatchOutcome => ({
  applied: outcomes.reduce((n, o) => n + o.applied, 0),
  duplicates: outcomes.reduce((n, o) => n + o.duplicates, 0),
  deadLettered: outcomes.reduce((n, o) => n + o.deadLettered, 0),
  emitted: outcomes.flatMap((o) => o.emitted),
  outboxIds: outcomes.flatMap((o) => o.outboxIds)
})

// An event this consumer cannot apply is its own to report, even where another consumer reports those that do not decode.
const deadLetterOnly = <A, R>(handler: TopicHandler<A, R>): TopicHandler<A, never> => {
  const { concerned: _, ...rest } = handler
  return { ...rest, deadLetters: true, handle: () => Effect.succeed([]) }
}

/** One event in its own transaction; if it still fails for a non-transient reason, it is dead-lettered. */
const applyAlone = <A, R>(schema: ServiceSchema, handler: TopicHandler<A, R>, item: Item<A>) =>
  Effect.gen(function*() {
    const alone = yield* Effect.result(applyInOneTransaction(schema, handler, [item]))
    if (Result.isSuccess(alone)) return alone.success
    if (isTransient(alone.failure)) return yield* Effect.fail(alone.failure)
    const reason = truncated(`cannot be applied: ${alone.failure.message}`, maxReasonLength)
    const { eventId, tenant } = identity(item)
    yield* Effect.logError(`event ${eventId} of tenant ${tenant} ${reason}; sending it to the dead-letter topic`)
    return yield* applyInOneTransaction(schema, deadLetterOnly(handler), [invalid<A>(item.raw, tenant, eventId, reason)])
  })

/**
 * Whether a batch is, as a whole, nothing its handler has work for: every event decoded and none
 * concerns it (a webhook consumer's batch for tenants without endpoints). Asked on the pool, with
 * no transaction around it: it reads what a statement inside the batch's transaction would read
 * (committed rows, at read committed), and it is asked again there when the answer is not empty.
 * Such a batch writes nothing, so it needs no transaction at all.
 */
const nothingConcerned = <A, R>(handler: TopicHandler<A, R>, items: ReadonlyArray<Item<A>>) =>
  Effect.gen(function*() {
    if (handler.concerned === undefined || items.length === 0) return false
    const consumed: Array<Consumed<A>> = []
    for (const item of items) {
      if (item.kind === "invalid") return false
      consumed.push(item.consumed)
    }
    const db = yield* Database
    return (yield* handler.concerned(db.sql, consumed)).size === 0
  })

/**
 * Applies a fetched batch in one transaction (none when nothing in it concerns the handler). A transient failure (lost connection, lost race,
 * Kafka out of reach) is returned for the caller to retry. Any other failure means some event in
 * the batch cannot be applied: the events are then applied one by one and the one that still
 * fails goes to the dead-letter topic with the database's reason, so it never stalls the partition.
 */
export const processBatch = <A, R>(schema: ServiceSchema, handler: TopicHandler<A, R>, messages: ReadonlyArray<RawMessage>) =>
  Effect.gen(function*() {
    const items = yield* refuseUnknownTenants(handler, messages.map((raw) => classify(handler, raw)))
    if (yield* nothingConcerned(handler, items)) {
      const unique = firstOfEachKey(items).length
      return { applied: unique, duplicates: items.length - unique, deadLettered: 0, emitted: [], outboxIds: [] } satisfies BatchOutcome
    }
    const whole = yield* Effect.result(applyInOneTransaction(schema, handler, items))
    if (Result.isSuccess(whole)) return whole.success
    if (isTransient(whole.failure)) return yield* Effect.fail(whole.failure)
    const outcomes: Array<BatchOutcome> = []
    for (const item of items) outcomes.push(yield* applyAlone(schema, handler, item))
    return sum(outcomes)
  })
