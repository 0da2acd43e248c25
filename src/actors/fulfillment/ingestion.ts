import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { InvalidInput } from "../../domain/errors.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import type { ActivityEvent } from "../../events/activity.ts"
import type { BuyEvent } from "../../events/buy.ts"
import type { RefundEvent } from "../../events/refund.ts"
import { Database } from "../../db/database.ts"
import type { DatabaseError } from "../../db/errors.ts"
import { checkRefunds } from "./refunds/refund-check.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import { EventProducer } from "../../kafka/producer.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import { makeDryRun } from "./dry-run/service.ts"
import { type EventsBody, fieldOf, listOf } from "./events-body.ts"
import type { Accepted } from "./model.ts"
import { RulesIndex } from "./rules-index.ts"

type Publishable = BuyEvent | ActivityEvent | RefundEvent

// A purchase is one order; a refund of a whole order happens once. A partial refund is neither: two
// refunds of 10 from one order are two refunds, so its order id cannot tell a retry from a second one.
const orderIdOf = (event: Publishable): string | undefined =>
  !("orderId" in event) ? undefined : "product" in event || event.amount === undefined ? event.orderId : undefined

export const missingIdReason =
  "required: give the event an eventId, send an Idempotency-Key header, or (a purchase, or a refund of a whole order) an orderId, so that a retried request is not credited twice"

const make = Effect.gen(function*() {
  const producer = yield* EventProducer
  const db = yield* Database
  const tenants = yield* TenantDirectory
  const dryRun = yield* makeDryRun

  /**
   * The id that makes a retry of this request change nothing, in this order: the event's own
   * `eventId`, the request's `Idempotency-Key` (with the event's position when the body is an
   * array), the purchase's `orderId` (a purchase is one order). Without any, a random id only if the
   * tenant chose to accept that; otherwise the request is refused.
   */
  const idFor = <E extends Publishable>(body: EventsBody<E>, event: E, index: number, idempotencyKey: string | undefined) =>
    Effect.gen(function*() {
      if (event.eventId !== undefined) return event.eventId
      if (idempotencyKey !== undefined) return Array.isArray(body) ? `${idempotencyKey}/${index}` : idempotencyKey
      const orderId = orderIdOf(event)
      if (orderId !== undefined) return orderId
      const settings = yield* tenants.settings(event.tenant)
      if (settings?.allowEventsWithoutId) return randomUUID()
      return yield* new InvalidInput({ field: fieldOf(body, index, "eventId"), reason: missingIdReason })
    })

  /** Identified events to their topic in one batch. A broker out of reach is a 503 at the HTTP edge: the client retries later, with the same ids. */
  const send = <E extends Publishable>(topic: string, events: ReadonlyArray<E & { readonly eventId: string }>) =>
    producer.send(events.map((event) => ({ topic, key: eventKey(event.tenant, event.userId), value: JSON.stringify(event) })))

  /** All or nothing on our side: every event is checked and identified before one batch is sent. */
  const publish = <E extends Publishable>(
    topic: string,
    scope: TenantScope,
    body: EventsBody<E>,
    idempotencyKey: string | undefined,
    check: (identified: ReadonlyArray<E & { readonly eventId: string }>) => Effect.Effect<void, InvalidInput | DatabaseError> = () => Effect.void
  ) =>
    Effect.gen(function*() {
      const events = listOf(body)
      yield* Effect.forEach(events, (event, index) => tenants.writable(scope, event.tenant, fieldOf(body, index, "tenant")), { discard: true })
      const identified = yield* Effect.forEach(events, (event, index) =>
        idFor(body, event, index, idempotencyKey).pipe(Effect.map((eventId) => ({ ...event, eventId }))))
      yield* check(identified)
      yield* send(topic, identified)
      return { eventIds: identified.map((event) => event.eventId) } satisfies Accepted
    })

  return {
    publishBuys: (scope: TenantScope, body: EventsBody<BuyEvent>, idempotencyKey?: string) => publish(Topics.buy, scope, body, idempotencyKey),
    publishActivities: (scope: TenantScope, body: EventsBody<ActivityEvent>, idempotencyKey?: string) => publish(Topics.activity, scope, body, idempotencyKey),
    publishRefunds: (scope: TenantScope, body: EventsBody<RefundEvent>, idempotencyKey?: string) =>
      publish(Topics.refund, scope, body, idempotencyKey, (identified) => checkRefunds(db.sql, body, identified)),
    /**
     * Purchases already validated and identified (an import's batch, of a tenant the caller may
     * write): to `buy` in one batch, as `POST /events/buy` sends them.
     */
    sendBuys: (events: ReadonlyArray<BuyEvent & { readonly eventId: string }>) => send(Topics.buy, events),
    dryRunBuys: dryRun.buys,
    dryRunActivities: dryRun.activities
  }
})

/**
 * Event ingestion over HTTP, for shops without a Kafka client: the same events, to the same
 * topics; or a dry run of them. Its rules index is its own, kept current like the actor's.
 */
export class EventIngestion extends Context.Service<EventIngestion, Effect.Success<typeof make>>()("loyaltea/fulfillment/EventIngestion") {
  static readonly layer = Layer.effect(EventIngestion, make).pipe(Layer.provide(RulesIndex.layer))
}
