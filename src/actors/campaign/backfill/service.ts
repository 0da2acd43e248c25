import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Database } from "../../../db/database.ts"
import { NotFound } from "../../../domain/errors.ts"
import { type PageRequest, pageFrom } from "../../../domain/page.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { Topics } from "../../../events/topics.ts"
import { KafkaClient, kafkaCall } from "../../../kafka/kafka-client.ts"
import { lazyAdmin } from "../../../kafka/lazy-admin.ts"
import { appendOutbox } from "../../../kafka/outbox.ts"
import { EventProducer, type OutgoingMessage } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import type { BackfillRequestEvent } from "../../../events/backfill-request.ts"
import * as repo from "../repo.ts"
import { rangeFromEnd, rangeSince as readRange } from "../../../kafka/offset-ranges.ts"
import { findJob, findJobById, listJobs, runningJobOf, shownJob, startJob } from "./repo.ts"

/** The job's request to the fulfillment service: derive what the campaign's fulfillments never judged since `from`. */
const derivationRequest = (request: { tenant: string; jobId: string; campaignId: string; fulfillmentIds: ReadonlyArray<string>; from: string }): OutgoingMessage => ({
  topic: Topics.backfillRequest,
  key: request.jobId,
  value: JSON.stringify({ ...request, eventId: request.jobId, from: new Date(request.from).toISOString() } satisfies Omit<BackfillRequestEvent, "tenant"> & { tenant: string })
})

const make = Effect.gen(function*() {
  const db = yield* Database
  const producer = yield* EventProducer
  const { kafka } = yield* KafkaClient
  const admin = lazyAdmin(kafka)
  yield* Effect.addFinalizer(() => Effect.promise(() => admin.close()).pipe(Effect.ignore))

  const campaignIn = (scope: TenantScope, id: string) =>
    repo.findCampaign(db.sql, scope, id).pipe(
      Effect.flatMap((campaign) => (campaign ? Effect.succeed(campaign) : Effect.fail(new NotFound({ resource: "campaign", id }))))
    )

  /** Per partition of `fulfillment`: the first offset at or after `from` and the log's end now. */
  const rangeSince = (from: string) =>
    kafkaCall(async () => readRange(await admin.connected(), Topics.fulfillment, from))

  /** Per partition of `backfill-fulfillment`: the log's end now, where the job's derived completions will start. */
  const derivedStart = kafkaCall(async () => rangeFromEnd(await admin.connected(), Topics.backfillFulfillment))

  /**
   * A job of the campaign, started now unless one is running (then that one, untouched). The
   * job and its request for a derivation (to the fulfillment service, through the outbox) commit
   * together.
   */
  const start = (scope: TenantScope, id: string, from: string) =>
    Effect.gen(function*() {
      const campaign = yield* campaignIn(scope, id)
      const running = yield* runningJobOf(db.sql, campaign.tenant, campaign.id)
      if (running) return { job: shownJob(running), created: false }
      const partitions = yield* rangeSince(from)
      const derived = yield* derivedStart
      const jobId = randomUUID()
      const outcome = yield* db.transaction((tx) =>
        Effect.gen(function*() {
          const started = yield* startJob(tx, { id: jobId, tenant: campaign.tenant, campaignId: campaign.id, from, partitions, derived })
          if (!started?.created) return { started, messages: [], outboxId: undefined }
          const messages = [derivationRequest({ tenant: campaign.tenant, jobId, campaignId: campaign.id, fulfillmentIds: campaign.fulfillments, from })]
          return { started, messages, outboxId: yield* appendOutbox(tx, "campaign", messages) }
        })
      )
      yield* publishCommitted(db, producer, "campaign", outcome.outboxId, outcome.messages)
      // Deleted in between: as unknown as it is now.
      return outcome.started ?? (yield* Effect.fail(new NotFound({ resource: "campaign", id })))
    })

  /** The campaign's latest job. */
  const get = (scope: TenantScope, id: string) =>
    Effect.gen(function*() {
      const campaign = yield* campaignIn(scope, id)
      const job = yield* findJob(db.sql, campaign.tenant, campaign.id)
      return job ? shownJob(job) : yield* Effect.fail(new NotFound({ resource: "backfill", id }))
    })

  /** One job of the campaign, by its id. */
  const one = (scope: TenantScope, id: string, jobId: string) =>
    Effect.gen(function*() {
      const campaign = yield* campaignIn(scope, id)
      const job = yield* findJobById(db.sql, campaign.tenant, campaign.id, jobId)
      return job ? shownJob(job) : yield* Effect.fail(new NotFound({ resource: "backfill", id: jobId }))
    })

  /** The campaign's jobs, newest first. */
  const list = (scope: TenantScope, id: string, page: PageRequest) =>
    campaignIn(scope, id).pipe(
      Effect.flatMap((campaign) => listJobs(db.sql, campaign.tenant, campaign.id, page)),
      Effect.map((rows) => pageFrom(rows, page.limit, (job) => [job.createdAt, job.id]))
    )

  return { start, get, one, list }
})

/** Backfills: re-evaluating one campaign over the past `fulfillment` events and their refunds (the runner does the work). */
export class CampaignBackfills extends Context.Service<CampaignBackfills, Effect.Success<typeof make>>()("loyaltea/campaign/CampaignBackfills") {
  static readonly layer = Layer.effect(CampaignBackfills, make)
}
