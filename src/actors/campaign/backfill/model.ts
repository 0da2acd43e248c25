import { Schema } from "effect"
import { documentedInstant } from "../model.ts"

/** `POST /campaign/{id}/backfill`: re-evaluate the campaign over the `fulfillment` events since `from`, and the refunds of the same range. */
export const BackfillInput = Schema.Struct({
  from: documentedInstant("Events from this time on are read again: the log is searched by record timestamp (ListOffsets by time)", "2026-01-01T00:00:00Z")
}).annotate({ identifier: "BackfillInput", examples: [{ from: "2026-01-01T00:00:00Z" } as never] })
export type BackfillInput = typeof BackfillInput.Type

export const BackfillPartition = Schema.Struct({
  partition: Schema.Number,
  start: Schema.String.annotate({ description: "The first offset at or after `from`" }),
  end: Schema.String.annotate({ description: "The log's end when the job started: the job stops there" }),
  current: Schema.String.annotate({ description: "The next offset to read; committed with the effects of what was read before it" })
}).annotate({ identifier: "BackfillPartition" })
export type BackfillPartition = typeof BackfillPartition.Type

export const BackfillStatus = Schema.Literals(["running", "done"])

export const BackfillPhase = Schema.Literals(["refunds", "fulfillments", "derived", "done"]).annotate({
  description: "`refunds` while the `fulfillment-revoked` events of the range are read (what a refund took back is not credited), " +
    "then `fulfillments` while the campaign is re-evaluated over the `fulfillment` events, then `derived` while it is re-evaluated over " +
    "the completions the fulfillment service derives from the purchases and activities its fulfillments never judged (those before a " +
    "fulfillment was created); `done` once all three reached their end"
})

export const Backfill = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  campaignId: Schema.String,
  from: Schema.String,
  status: BackfillStatus,
  phase: BackfillPhase,
  partitions: Schema.Array(BackfillPartition).annotate({ description: "The `fulfillment` partitions' offsets" }),
  refundPartitions: Schema.Array(BackfillPartition).annotate({
    description: "The `fulfillment-revoked` partitions' offsets: from the first at or after `from` to the log's end when the refunds phase started (empty until then)"
  }),
  derivedPartitions: Schema.Array(BackfillPartition).annotate({
    description: "The `backfill-fulfillment` partitions' offsets: from the log's end when the job asked for its derivation (`end` is that start: the derivation's own end message ends the phase)"
  }),
  percent: Schema.Number.annotate({ description: "Offsets read of those to read in `fulfillment-revoked` and `fulfillment`, 0-100 (99.99 at most until done: the derived phase has no known length)" }),
  refundsRead: Schema.Number.annotate({ description: "Refunds of the campaign's fulfillments (its tenant's only) found in the range and kept for judging its purchases" }),
  eventsRead: Schema.Number,
  derivedRead: Schema.Number.annotate({
    description: "Derived completions of the job read (of the campaign's fulfillments, for the purchases and activities they never judged); one delivered twice, or read by an earlier job of the campaign, counts once"
  }),
  membersCompleted: Schema.Number.annotate({ description: "Rounds of the campaign the backfill completed" }),
  rewardsGranted: Schema.Number.annotate({ description: "`reward` events the backfill emitted" }),
  pointsGranted: Schema.Number,
  createdAt: Schema.String,
  finishedAt: Schema.NullOr(Schema.String)
}).annotate({
  identifier: "Backfill",
  examples: [{
    id: "9b2f4c1e-6d3a-4e8b-a5c7-1f0e2d3c4b5a",
    tenant: "meiwei",
    campaignId: "5d6c2a0e-8f4b-4c1a-9e3d-2b7f6a8c9d10",
    from: "2026-01-01T00:00:00.000Z",
    status: "running",
    phase: "fulfillments",
    partitions: [{ partition: 0, start: "120", end: "3520", current: "2000" }],
    refundPartitions: [{ partition: 0, start: "4", end: "40", current: "40" }],
    derivedPartitions: [{ partition: 0, start: "0", end: "0", current: "0" }],
    percent: 56.47,
    refundsRead: 36,
    eventsRead: 1880,
    derivedRead: 0,
    membersCompleted: 310,
    rewardsGranted: 310,
    pointsGranted: 3100,
    createdAt: "2026-03-20T09:30:00.000Z",
    finishedAt: null
  }]
})
export type Backfill = typeof Backfill.Type

/** What one committed batch adds to a job. */
export interface BackfillStep {
  readonly partition: number
  readonly next: string
  readonly eventsRead: number
  readonly completions: number
  readonly rewards: number
  readonly points: string
}
