import { Schema } from "effect"
import { EventId } from "../../events/envelope.ts"
import { Label, Points, Tenant, Uuid } from "../../domain/primitives.ts"
import { answerFields, earningFields, ruleOfItsKind } from "./earning-fields.ts"
import { entryKinds } from "./lots/model.ts"

const rewardId = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
const perAmountExample = { kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "down", max_points: 500 } as const

/**
 * A reward as the original API spoke it (snake_case): `reward_id` is generated when absent. The
 * original body `{tenant, reward_id, reward_points}` is a `fixed` reward, as before.
 */
export const RewardInput = Schema.Struct({
  tenant: Tenant,
  reward_id: Schema.optionalKey(Uuid),
  name: Schema.optionalKey(Label(200)),
  ...earningFields
})
  // Examples before the cross-field check, or the JSON Schema drops them; the name after it.
  .annotate({ examples: [{ tenant: "meiwei" as Tenant, name: "1 point per 10.00 spent, at most 500", ...perAmountExample }] })
  .check(ruleOfItsKind)
  .annotate({ identifier: "RewardInput" })
export type RewardInput = typeof RewardInput.Type

/**
 * Replaces a reward's earning rule: a field left out takes its default (`kind` fixed, `rounding`
 * down, no `max_points`). A name left out stays as it was.
 */
export const RewardUpdate = Schema.Struct({
  name: Schema.optionalKey(Label(200)),
  ...earningFields
})
  .annotate({ examples: [{ name: "1 point per 10.00 spent, at most 500", ...perAmountExample }] })
  .check(ruleOfItsKind)
  .annotate({ identifier: "RewardUpdate" })
export type RewardUpdate = typeof RewardUpdate.Type

export const Reward = Schema.Struct({
  tenant: Schema.String,
  reward_id: Schema.String,
  name: Schema.NullOr(Schema.String),
  ...answerFields,
  created_at: Schema.String,
  updated_at: Schema.String
}).annotate({
  identifier: "Reward",
  examples: [{
    tenant: "meiwei",
    reward_id: rewardId,
    name: "1 point per 10.00 spent, at most 500",
    reward_points: null,
    ...perAmountExample,
    created_at: "2026-03-01T09:30:00.000Z",
    updated_at: "2026-03-01T09:30:00.000Z"
  }]
})
export type Reward = typeof Reward.Type

/** A user's points in one tenant. */
export const Balance = Schema.Struct({
  tenant: Schema.String,
  user_id: Schema.String,
  points: Schema.Number
}).annotate({ identifier: "Balance" })
export type Balance = typeof Balance.Type

export const LedgerKind = Schema.Literals(entryKinds).annotate({
  description: "`credit` (a lot earned), `redemption`, `reversal` (a credit taken back), `expiry`, `adjustment` (an operator's correction), `activation` (pending points became spendable), `opening` (an opening balance imported from the old system)",
  examples: ["credit"]
})

const ActorAnswer = Schema.NullOr(Schema.Struct({
  kind: Schema.Literals(["operator", "api-key", "member"]),
  id: Schema.String
})).annotate({ description: "Who made the entry over HTTP (an operator, an API key, or the member through the shop's app); null for entries made by events and jobs" })

/** One movement of points; a balance is the sum of its entries' amounts, its pending points the sum of their `pending`. */
export const LedgerEntry = Schema.Struct({
  id: Schema.String,
  amount: Schema.Number.annotate({ description: "What the entry moved on the spendable balance (signed)" }),
  kind: LedgerKind,
  rewardId: Schema.NullOr(Schema.String),
  campaignId: Schema.NullOr(Schema.String),
  eventId: Schema.NullOr(Schema.String),
  redemptionId: Schema.NullOr(Schema.String),
  /** A credit's cause: when it happened, the spend it was counted on, the orders behind it. */
  occurredAt: Schema.NullOr(Schema.String),
  basis: Schema.NullOr(Schema.Number),
  orderIds: Schema.NullOr(Schema.Array(Schema.String)),
  createdAt: Schema.String,
  pending: Schema.Number.annotate({ description: "What the entry moved on the pending points (signed): a pending credit, its activation, a reversal of pending points" }),
  shortfall: Schema.Number.annotate({ description: "What a reversal or a negative adjustment could not take because the program clamps the balance at 0" }),
  balanceAfter: Schema.NullOr(Schema.Number).annotate({ description: "The spendable balance right after the entry (null for entries from before the points lifecycle)" }),
  lotId: Schema.NullOr(Schema.String).annotate({ description: "The lot the entry credits, activates, expires or takes back" }),
  causeEventId: Schema.NullOr(Schema.String).annotate({ description: "The event behind it (a reversal's refund, a credit's completing event)" }),
  orderId: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  idempotencyKey: Schema.NullOr(Schema.String),
  actor: ActorAnswer
}).annotate({ identifier: "LedgerEntry" })
export type LedgerEntry = typeof LedgerEntry.Type

export const Ledger = Schema.Struct({
  tenant: Schema.String,
  userId: Schema.String,
  balance: Schema.Number,
  entries: Schema.Array(LedgerEntry),
  /** Pass as `before` to get the next (older) page; null on the last page. */
  nextBefore: Schema.NullOr(Schema.String)
}).annotate({ identifier: "Ledger" })
export type Ledger = typeof Ledger.Type

export const RedemptionRequest = Schema.Struct({
  tenant: Tenant,
  points: Points,
  reason: Label(500),
  idempotencyKey: EventId.annotate({ description: "Chosen by the caller; the same key never debits twice" })
}).annotate({ identifier: "RedemptionRequest" })
export type RedemptionRequest = typeof RedemptionRequest.Type

export const Redemption = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  userId: Schema.String,
  points: Schema.Number,
  reason: Schema.String,
  idempotencyKey: Schema.String,
  /** The balance right after this redemption. */
  balance: Schema.Number,
  createdAt: Schema.String
}).annotate({ identifier: "Redemption" })
export type Redemption = typeof Redemption.Type

/** Debiting would take the balance below zero. */
export class InsufficientBalance extends Schema.TaggedError<InsufficientBalance>()("InsufficientBalance", {
  tenant: Schema.String,
  userId: Schema.String,
  balance: Schema.Number,
  requested: Schema.Number
}) {
  override get message() {
    return `balance ${this.balance} is less than the ${this.requested} points requested`
  }
}

/** The idempotency key was used before for a different redemption. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  idempotencyKey: Schema.String
}) {
  override get message() {
    return `idempotency key ${this.idempotencyKey} was already used for a different redemption`
  }
}
