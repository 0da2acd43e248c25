import { Clock, Effect, Schema } from "effect"
import { Database } from "../../../db/database.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import type { ActivityEvent } from "../../../events/activity.ts"
import type { BuyEvent } from "../../../events/buy.ts"
import { reservedIdPrefix } from "../../../events/event-id.ts"
import { TenantDirectory } from "../../../tenants/directory.ts"
import { readProgress } from "../goals/progress-repo.ts"
import { progressKeys, type Qualifying, settle } from "../goals/settle.ts"
import { type EventsBody, fieldOf, listOf } from "../events-body.ts"
import { emptyIndex, type TenantIndex } from "../matching.ts"
import { type Qualified, qualifyActivity, qualifyPurchase } from "../qualify.ts"
import { RulesIndex } from "../rules-index.ts"
import { Evaluation } from "../../campaign/evaluation/model.ts"
import { type AskPeer, type Credential, peerClient, PeerUnavailable } from "../../../http/peer-client.ts"
import { completions, type Probe, verdicts } from "./judge.ts"
import type { DryRunAnswer } from "./model.ts"

const decodeEvaluation = Schema.decodeUnknownEffect(Evaluation)

type WouldComplete = ReturnType<typeof completions>[number]

/**
 * What the completions would do to the user's campaigns, asked of the campaign service (with the
 * caller's credential: it sees what the caller may see). No completion, nothing to ask.
 */
const campaignsFor = (askPeer: AskPeer, credential: Credential, event: { tenant: string; userId: string }, occurredAt: string, done: ReadonlyArray<WouldComplete>) =>
  done.length === 0
    ? Effect.succeed([])
    : askPeer("campaign", "POST", "/campaign/evaluate", credential, {
      tenant: event.tenant,
      userId: event.userId,
      occurredAt,
      fulfillments: done.map((c) => ({ fulfillmentId: c.fulfillmentId, ...(c.basis === undefined ? {} : { basis: Number(c.basis) }), ...(c.orderIds === undefined ? {} : { orderIds: c.orderIds }) }))
    }).pipe(
      Effect.flatMap(decodeEvaluation),
      Effect.map((evaluation) => evaluation.campaigns),
      Effect.mapError((error) => (error instanceof PeerUnavailable ? error : new PeerUnavailable({ peer: "campaign", reason: "its answer does not match the evaluation contract" })))
    )

type Judgeable = BuyEvent | ActivityEvent

interface Kind<E extends Judgeable> {
  readonly qualify: (index: TenantIndex, event: E, at: number, ref: string) => Qualified
  readonly probe: (event: E, qualified: Qualified) => Probe
  readonly ref: (event: E) => string | undefined
}

const purchases: Kind<BuyEvent> = {
  qualify: qualifyPurchase,
  probe: (event, q) => ({ kind: "buy", product: event.product, contribution: q.contribution }),
  ref: (event) => event.orderId ?? event.eventId
}

const activities: Kind<ActivityEvent> = {
  qualify: qualifyActivity,
  probe: (event, q) => ({ kind: "tag", tag: event.tag, contribution: q.contribution }),
  ref: (event) => event.eventId
}

/** What events would do: part of the ingestion use cases, behind `?dryRun=true`. */
export const makeDryRun = Effect.gen(function*() {
  const db = yield* Database
  const rules = yield* RulesIndex
  const tenants = yield* TenantDirectory
  const askPeer = yield* peerClient

  /**
   * Judges the events as the handler would, against the stored progress, in the request's order
   * (each as if the ones before it were applied), and stores, publishes and records nothing: the
   * reads are plain statements, no transaction writes. An event needs no id here.
   */
  const judge = <E extends Judgeable>(kind: Kind<E>, scope: TenantScope, body: EventsBody<E>, credential: Credential) =>
    Effect.gen(function*() {
      const events = listOf(body)
      yield* Effect.forEach(events, (event, index) => tenants.writable(scope, event.tenant, fieldOf(body, index, "tenant")), { discard: true })
      const now = yield* Clock.currentTimeMillis
      const indexes = yield* rules.forTenants(db.sql, events.map((event) => event.tenant))
      const times = events.map((event) => (event.occurredAt === undefined ? now : Date.parse(event.occurredAt)))
      const qualified = events.map((event, i) =>
        kind.qualify(indexes.get(event.tenant) ?? emptyIndex, event, times[i]!, kind.ref(event) ?? `${reservedIdPrefix}dry-run/${i}`))
      const batch = events.map((event, i): Qualifying => ({ tenant: event.tenant, userId: event.userId, ...qualified[i]! }))
      const { judged } = settle(batch, yield* readProgress(db.sql, progressKeys(batch), false))
      // Each event's campaigns are judged on their stored progress, as if it came alone.
      const answered = yield* Effect.forEach(events, (event, i) =>
        Effect.gen(function*() {
          const occurredAt = new Date(times[i]!).toISOString()
          const done = completions(judged[i]!, occurredAt)
          return {
            index: i,
            tenant: event.tenant,
            userId: event.userId,
            occurredAt,
            fulfillments: verdicts((indexes.get(event.tenant) ?? emptyIndex).rules, kind.probe(event, qualified[i]!), judged[i]!),
            completions: done,
            campaigns: yield* campaignsFor(askPeer, credential, event, occurredAt, done)
          }
        }), { concurrency: 4 })
      return { dryRun: true, events: answered } satisfies DryRunAnswer
    })

  return {
    buys: (scope: TenantScope, body: EventsBody<BuyEvent>, credential: Credential) => judge(purchases, scope, body, credential),
    activities: (scope: TenantScope, body: EventsBody<ActivityEvent>, credential: Credential) => judge(activities, scope, body, credential)
  }
})

