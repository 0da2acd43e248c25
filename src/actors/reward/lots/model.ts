import type * as D from "../../../domain/decimal.ts"
import type { RewardNotifyEvent } from "../../../events/reward.ts"

/** The kinds of ledger entries: every movement of points is one of them. */
export const entryKinds = ["credit", "redemption", "reversal", "expiry", "adjustment", "activation", "opening"] as const
export type EntryKind = (typeof entryKinds)[number]

/** Who made an entry over HTTP: an operator or an API key. */
export interface Actor {
  readonly kind: "operator" | "api-key" | "member"
  readonly id: string
}

/**
 * Points credited at once (a credit, a positive adjustment): what is left of them to spend or to
 * expire, and how much of the credit was taken back. Pending until `availableAt`.
 */
export interface Lot {
  /** null until the lot is stored. */
  id: string | null
  readonly lotKey: string
  readonly source: "credit" | "adjustment" | "opening"
  readonly points: D.Decimal
  readonly multiplier: D.Decimal
  remaining: D.Decimal
  reversed: D.Decimal
  readonly occurredAt: number
  readonly availableAt: number
  readonly expiresAt: number | null
  pending: boolean
  expired: boolean
  readonly isNew: boolean
  changed: boolean
}

/**
 * One user's points in one tenant, as loaded for a change: spendable `points` (the sum of the
 * available lots' remainders, or below zero by what a reversal took beyond them), `pending` (the
 * pending lots' remainders), `earned` (credits minus reversals, lifelong) and the tier.
 */
export interface Account {
  readonly tenant: string
  readonly userId: string
  points: D.Decimal
  pending: D.Decimal
  earned: D.Decimal
  tier: string | null
  tierReviewAt: number | null
  /** The lots a change can touch: every open lot, and those the tier window or a reversal needs. */
  readonly lots: Array<Lot>
}

/** A ledger entry to write: what moved, why and who made it. */
export interface Entry {
  readonly tenant: string
  readonly userId: string
  readonly kind: EntryKind
  readonly amount: D.Decimal
  readonly pendingChange: D.Decimal
  readonly shortfall: D.Decimal
  readonly lotKey: string | null
  readonly rewardId: string | null
  readonly campaignId: string | null
  readonly eventId: string | null
  readonly causeEventId: string | null
  readonly orderId: string | null
  readonly occurredAt: number | null
  readonly basis: string | null
  readonly orderIds: ReadonlyArray<string> | null
  readonly redemptionId: string | null
  readonly reason: string | null
  readonly idempotencyKey: string | null
  readonly actor: Actor | null
  /** The spendable balance right after the entry. */
  readonly balanceAfter: D.Decimal
}

/** What a change of accounts comes to: entries to write and notifications to emit, in order. */
export interface Changes {
  readonly entries: Array<Entry>
  readonly notifications: Array<RewardNotifyEvent>
}

export const noChanges = (): Changes => ({ entries: [], notifications: [] })

export const accountKey = (tenant: string, userId: string) => `${tenant}\u0000${userId}`

export const creditLotKey = (rewardEventId: string) => `credit:${rewardEventId}`
export const adjustmentLotKey = (idempotencyKey: string) => `adjustment:${idempotencyKey}`
/** A user's opening balance from the old system: one per user and tenant. */
export const openingLotKey = (userId: string) => `opening:${userId}`

/** Whether a lot's points count as earned for the tier: credits, and opening balances (what the old system had credited). */
export const earnsTier = (lot: Pick<Lot, "source">) => lot.source === "credit" || lot.source === "opening"
