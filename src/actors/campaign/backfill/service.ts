import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Database } from "../../../db/database.ts"
import { NotFound } from "../../../domain/errors.ts"
import { type PageRequest, pageFrom } from "../../../domain/page.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { Topics } from "../../../events/topics.ts"
import { KafkaClient, KafkaUnavailable } from "../../../kafka/kafka-client.ts"
import { lazyAdmin } from "../../../kafka/lazy-admin.ts"
import * as repo from "../repo.ts"
import { rangeSince as readRange } from "./ranges.ts"
import { findJob, findJobById, listJobs, runningJobOf, shownJob, startJob } from "./repo.ts"

const make = Effect.gen(function*() {
  const db = yield* Database
  const { kafka } = yield* KafkaClient
  const admin = lazyAdmin(kafka)
  yield* Effect.addFinalizer(() => Effect.promise(() => admin.close()).pipe(Effect.ignore))

  const campaignIn = (scope: TenantScope, id: string) =>
    repo.findCampaign(db.sql, scope, id).pipe(
      Effect.flatMap((campaign) => (campaign ? Effect.succeed(campaign) : Effect.fail(new NotFound({ resource: "campaign", id }))))
    )

  /** Per partition of `fulfillment`: the first offset at or after `from` and the log's end now. */
  const rangeSince = (from: string) =>
    Effect.tryPromise({
      try: async () => readRange(await admin.connected(), Topics.fulfillment, from),
      catch: (error) => new KafkaUnavailable({ reason: error instanceof Error ? error.message : String(error) })
    })

  /** A job of the campaign, started now unless one is running (then that one, untouched). */
  const start = (scope: TenantScope, id: string, from: string) =>
    Effect.gen(function*() {
      const campaign = yield* campaignIn(scope, id)
      const running = yield* runningJobOf(db.sql, campaign.tenant, campaign.id)
      if (running) return { job: shownJob(running), created: false }
      const partitions = yield* rangeSince(from)
      const started = yield* startJob(db.sql, { id: randomUUID(), tenant: campaign.tenant, campaignId: campaign.id, from, partitions })
      // Deleted in between: as unknown as it is now.
      return started ?? (yield* Effect.fail(new NotFound({ resource: "campaign", id })))
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
