import { Schema } from "effect"
import { EventId } from "../../../events/envelope.ts"
import { Label, opaqueToJsonSchema, Tenant } from "../../../domain/primitives.ts"

/** A signed decimal of points' range with at most 4 places, not 0. */
const SignedPoints = Schema.Finite.check(
  Schema.makeFilter((value: number) => value !== 0 || "must not be 0", opaqueToJsonSchema),
  Schema.makeFilter((value: number) => Math.abs(Math.round(value * 10_000) - value * 10_000) < 1e-6 || "must have at most 4 decimal places", opaqueToJsonSchema),
  Schema.isGreaterThanOrEqualTo(-1_000_000_000, { message: "must be at least -1000000000" }),
  Schema.isLessThanOrEqualTo(1_000_000_000, { message: "must be at most 1000000000" })
).annotate({ description: "Points to add (positive: a lot of their own, spendable at once) or take (negative: spent in expiry order, below zero only if the program allows it)", examples: [250] })

export const AdjustmentRequest = Schema.Struct({
  tenant: Tenant,
  points: SignedPoints,
  reason: Label(500),
  idempotencyKey: Schema.optionalKey(EventId.annotate({ description: "Chosen by the caller (or sent as the `Idempotency-Key` header); the same key never adjusts twice" }))
}).annotate({ identifier: "AdjustmentRequest", examples: [{ tenant: "meiwei" as Tenant, points: 250, reason: "goodwill: late delivery", idempotencyKey: "ticket-4711" }] })
export type AdjustmentRequest = typeof AdjustmentRequest.Type

export const Adjustment = Schema.Struct({
  id: Schema.String.annotate({ description: "The ledger entry's id" }),
  tenant: Schema.String,
  userId: Schema.String,
  points: Schema.Number.annotate({ description: "What the adjustment moved on the spendable balance (signed)" }),
  shortfall: Schema.Number.annotate({ description: "What a negative adjustment could not take because the program clamps the balance at 0" }),
  reason: Schema.String,
  idempotencyKey: Schema.String,
  balance: Schema.Number.annotate({ description: "The spendable balance right after the adjustment" }),
  actor: Schema.NullOr(Schema.Struct({ kind: Schema.Literals(["operator", "api-key", "member"]), id: Schema.String })),
  createdAt: Schema.String
}).annotate({
  identifier: "Adjustment",
  examples: [{ id: "42", tenant: "meiwei", userId: "ada", points: 250, shortfall: 0, reason: "goodwill: late delivery", idempotencyKey: "ticket-4711", balance: 1250, actor: { kind: "operator", id: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d" }, createdAt: "2026-03-01T09:30:00.000Z" }]
})
export type Adjustment = typeof Adjustment.Type

/** A user's points in one tenant with their lifecycle: spendable, pending, earned, the tier and what expires next. */
export const BalanceDetail = Schema.Struct({
  tenant: Schema.String,
  user_id: Schema.String,
  points: Schema.Number.annotate({ description: "Spendable now (below 0 only after a reversal of spent points, where the program allows it)" }),
  pending: Schema.Number.annotate({ description: "Credited but not spendable yet (the program's pending_days)" }),
  lifetime_earned: Schema.Number.annotate({ description: "Points ever credited, minus those taken back" }),
  tier: Schema.NullOr(Schema.String),
  expiring: Schema.Array(Schema.Struct({ points: Schema.Number, expires_at: Schema.String }))
    .annotate({ description: "The next expiries: what of the unspent points expires on each date, soonest first (at most 10)" })
}).annotate({
  identifier: "BalanceDetail",
  examples: [{ tenant: "meiwei", user_id: "ada", points: 1200, pending: 80, lifetime_earned: 1480, tier: "silver", expiring: [{ points: 300, expires_at: "2027-03-01T09:30:00.000Z" }] }]
})
export type BalanceDetail = typeof BalanceDetail.Type

/** The idempotency key of an adjustment was used before for a different adjustment. */
export class AdjustmentKeyReused extends Schema.TaggedError<AdjustmentKeyReused>()("AdjustmentKeyReused", {
  idempotencyKey: Schema.String
}) {
  override get message() {
    return `idempotency key ${this.idempotencyKey} was already used for a different adjustment`
  }
}
