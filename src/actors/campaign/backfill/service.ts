import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Database } from "../../../db/database.ts"
import { NotFound } from "../../../domain/errors.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { Topics } from "../../../events/topics.ts"
import { KafkaClient, KafkaUnavailable } from "../../../kafka/kafka-client.ts"
import { lazyAdmin } from "../../../kafka/lazy-admin.ts"
import * as repo from "../repo.ts"
import type { BackfillPartition } from "./model.ts"
import { findJob, startJob } from "./repo.ts"

const make = Effect.gen(function*() {
  const db = yield* Database
  const { kafka } = yield* KafkaClient
  const admin = lazyAdmin(kafka)
  yield* Effect.addFinalizer(() => Effect.promise(() => admin.close()).pipe(Effect.ignore))

  const campaignIn = (scope: TenantScope, id: string) =>
    repo.findCampaign(db.sql, scope, id).pipe(
      Effect.flatMap((campaign) => (campaign ? Effect.succeed(campaign) : Effect.fail(new NotFound({ resource: "campaign", id }))))
    )

  /** Per partition of `fulfillment`: the first offset at or after `from` (ListOffsets by timestamp) and the log's end now. */
  const rangeSince = (from: string) =>
    Effect.tryPromise({
      try: async (): Promise<Array<BackfillPartition>> => {
        const client = await admin.connected()
        // A log that has no `fulfillment` topic yet has nothing to read again: the job is done at once.
        if (!(await client.listTopics()).includes(Topics.fulfillment)) return []
        const [starts, ends] = await Promise.all([
          client.fetchTopicOffsetsByTimestamp(Topics.fulfillment, Date.parse(from)),
          client.fetchTopicOffsets(Topics.fulfillment)
        ])
        return ends.map((end) => {
          const found = starts.find((s) => s.partition === end.partition)?.offset ?? end.high
          const start = found === "-1" || BigInt(found) > BigInt(end.high) ? end.high : found
          return { partition: end.partition, start, end: end.high, current: start }
        }).sort((a, b) => a.partition - b.partition)
      },
      catch: (error) => new KafkaUnavailable({ reason: error instanceof Error ? error.message : String(error) })
    })

  /** The campaign's job, started now unless it has one already (then that one, untouched). */
  const start = (scope: TenantScope, id: string, from: string) =>
    Effect.gen(function*() {
      const campaign = yield* campaignIn(scope, id)
      const existing = yield* findJob(db.sql, campaign.tenant, campaign.id)
      if (existing) return { job: existing, created: false }
      const partitions = yield* rangeSince(from)
      const started = yield* startJob(db.sql, { id: randomUUID(), tenant: campaign.tenant, campaignId: campaign.id, from, partitions })
      // Deleted in between: as unknown as it is now.
      return started ?? (yield* Effect.fail(new NotFound({ resource: "campaign", id })))
    })

  const get = (scope: TenantScope, id: string) =>
    Effect.gen(function*() {
      const campaign = yield* campaignIn(scope, id)
      const job = yield* findJob(db.sql, campaign.tenant, campaign.id)
      return job ?? (yield* Effect.fail(new NotFound({ resource: "backfill", id })))
    })

  return { start, get }
})

/** Backfills: re-evaluating one campaign over the past `fulfillment` events (the runner does the work). */
export class CampaignBackfills extends Context.Service<CampaignBackfills, Effect.Success<typeof make>>()("loyaltea/campaign/CampaignBackfills") {
  static readonly layer = Layer.effect(CampaignBackfills, make)
}
