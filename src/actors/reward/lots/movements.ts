import * as D from "../../../domain/decimal.ts"
import { derivedEventId } from "../../../events/event-id.ts"
import type { MovementKind, RewardNotifyEvent } from "../../../events/reward.ts"
import type { ProgramRules } from "../program/model.ts"
import { reviewTier, type TierChange } from "../tiers/tiers.ts"
import type { Account, Actor, Changes, Entry, Lot } from "./model.ts"
import { debit, payBackFrom, takeFromLots } from "./spending.ts"

/** What an entry says about its cause and maker, beyond the movement itself. */
export type EntryCause = Partial<Omit<Entry, "tenant" | "userId" | "kind" | "amount" | "pendingChange" | "shortfall" | "balanceAfter">>

const entryOf = (account: Account, kind: Entry["kind"], moved: { amount?: D.Decimal; pendingChange?: D.Decimal; shortfall?: D.Decimal }, cause: EntryCause): Entry => ({
  tenant: account.tenant,
  userId: account.userId,
  kind,
  amount: moved.amount ?? D.zero,
  pendingChange: moved.pendingChange ?? D.zero,
  shortfall: moved.shortfall ?? D.zero,
  lotKey: cause.lotKey ?? null,
  rewardId: cause.rewardId ?? null,
  campaignId: cause.campaignId ?? null,
  eventId: cause.eventId ?? null,
  causeEventId: cause.causeEventId ?? null,
  orderId: cause.orderId ?? null,
  occurredAt: cause.occurredAt ?? null,
  basis: cause.basis ?? null,
  orderIds: cause.orderIds ?? null,
  redemptionId: cause.redemptionId ?? null,
  reason: cause.reason ?? null,
  idempotencyKey: cause.idempotencyKey ?? null,
  actor: cause.actor ?? null,
  balanceAfter: account.points
})

/** A `reward-notify` event for a movement, with the balance after it. */
const notify = (changes: Changes, account: Account, kind: MovementKind, points: D.Decimal, id: ReadonlyArray<string>, cause: EntryCause, extra: TierChange = {}) => {
  const event: RewardNotifyEvent = {
    tenant: account.tenant as RewardNotifyEvent["tenant"],
    userId: account.userId as RewardNotifyEvent["userId"],
    eventId: derivedEventId("reward-notify", ...id) as RewardNotifyEvent["eventId"],
    kind,
    points: D.toNumber(points),
    balance: D.toNumber(account.points),
    pending: D.toNumber(account.pending),
    tier: account.tier,
    ...extra,
    ...(cause.rewardId ? { rewardId: cause.rewardId as RewardNotifyEvent["rewardId"] & string } : {}),
    ...(cause.campaignId ? { campaignId: cause.campaignId as RewardNotifyEvent["campaignId"] & string } : {}),
    ...(cause.causeEventId ? { causeEventId: cause.causeEventId as RewardNotifyEvent["eventId"] } : {}),
    ...(cause.orderId ? { orderId: cause.orderId as RewardNotifyEvent["eventId"] } : {}),
    ...(cause.lotKey ? { lotId: cause.lotKey } : {}),
    ...(cause.occurredAt !== undefined && cause.occurredAt !== null ? { occurredAt: new Date(cause.occurredAt).toISOString() as RewardNotifyEvent["eventId"] } : {})
  }
  changes.notifications.push(event)
}

export const tierChanged = (changes: Changes, account: Account, change: TierChange | undefined, id: ReadonlyArray<string>, at: number) => {
  if (change) notify(changes, account, "tier-changed", D.zero, ["tier", ...id], { occurredAt: at }, change)
}

const newLot = (lotKey: string, source: Lot["source"], points: D.Decimal, multiplier: D.Decimal, at: number, rules: ProgramRules, pendingMs: number): Lot => ({
  id: null,
  lotKey,
  source,
  points,
  multiplier,
  remaining: points,
  reversed: D.zero,
  occurredAt: at,
  availableAt: at + pendingMs,
  expiresAt: rules.expireAfterMs === null ? null : at + rules.expireAfterMs,
  pending: pendingMs > 0,
  expired: false,
  isNew: true,
  changed: true
})

/** Points becoming spendable: they pay a negative balance back first, then raise it. */
const makeSpendable = (account: Account, lot: Lot, points: D.Decimal) => {
  payBackFrom(account, lot)
  account.points = D.add(account.points, points)
}

/** What earned points are: a reward's credit, or an opening balance brought from the old system. */
interface Earning {
  readonly source: "credit" | "opening"
  readonly movement: "credited" | "opened"
  /** What the notifications' ids are derived from. */
  readonly id: ReadonlyArray<string>
}

/**
 * Earned points at their event time: a lot, pending or spendable at once as the program says;
 * counted as earned, and an upgrade of the tier applies at once.
 */
const earn = (changes: Changes, account: Account, rules: ProgramRules, points: D.Decimal, multiplier: D.Decimal, cause: EntryCause & { lotKey: string; occurredAt: number }, earning: Earning) => {
  const lot = newLot(cause.lotKey, earning.source, points, multiplier, cause.occurredAt, rules, rules.pendingMs)
  account.lots.push(lot)
  if (lot.pending) account.pending = D.add(account.pending, points)
  else makeSpendable(account, lot, points)
  account.earned = D.add(account.earned, points)
  changes.entries.push(entryOf(account, earning.source, lot.pending ? { pendingChange: points } : { amount: points }, cause))
  notify(changes, account, earning.movement, points, earning.id, cause)
  tierChanged(changes, account, reviewTier(account, cause.occurredAt, rules, true), earning.id, cause.occurredAt)
  return lot
}

/** A credit of `base` points (before the tier's multiplier) at its event time. */
export const credit = (changes: Changes, account: Account, rules: ProgramRules, base: D.Decimal, multiplier: D.Decimal, cause: EntryCause & { lotKey: string; occurredAt: number; eventId: string }) => {
  const points = D.multiply(base, multiplier)
  if (D.isZero(points)) return undefined
  return earn(changes, account, rules, points, multiplier, cause, { source: "credit", movement: "credited", id: [cause.eventId] })
}

/**
 * A user's opening balance from the old system, as a credit at its time (pending and expiring as
 * the program says from then; no tier multiplier: the old system counted it).
 */
export const openBalance = (changes: Changes, account: Account, rules: ProgramRules, points: D.Decimal, cause: EntryCause & { lotKey: string; occurredAt: number }) =>
  earn(changes, account, rules, points, D.fromInteger(1), cause, { source: "opening", movement: "opened", id: ["opening", account.tenant, account.userId] })

/**
 * Takes back `wanted` points of a credit (the multiplier it had already applied), at most what is
 * left un-reversed: its pending points first; if spent, from the other lots, then below zero
 * (`allow`) or not at all (`clamp`, the shortfall recorded).
 */
export const reverse = (changes: Changes, account: Account, rules: ProgramRules, lot: Lot, wanted: D.Decimal | undefined, cause: EntryCause & { eventId: string; occurredAt: number }) => {
  const open = D.sub(lot.points, lot.reversed)
  const points = wanted === undefined ? open : D.min(D.multiply(wanted, lot.multiplier), open)
  if (D.compare(points, D.zero) <= 0) return
  lot.reversed = D.add(lot.reversed, points)
  lot.changed = true
  account.earned = D.sub(account.earned, points)
  const fromPending = lot.pending ? D.min(points, lot.remaining) : D.zero
  if (lot.pending) {
    lot.remaining = D.sub(lot.remaining, fromPending)
    account.pending = D.sub(account.pending, fromPending)
  }
  const rest = D.sub(points, fromPending)
  const { moved, shortfall } = D.isZero(rest) ? { moved: D.zero, shortfall: D.zero } : debit(account, rest, rules.negativeBalance, lot)
  const full = { ...cause, lotKey: lot.lotKey }
  changes.entries.push(entryOf(account, "reversal", { amount: D.negate(moved), pendingChange: D.negate(fromPending), shortfall }, full))
  notify(changes, account, "reversed", D.negate(D.add(moved, fromPending)), [cause.eventId], full)
  if (account.tier !== null) account.tierReviewAt = Math.min(account.tierReviewAt ?? cause.occurredAt, cause.occurredAt)
}

/** Spends `points` from the lots in expiry order; the caller has checked the balance covers them. */
export const redeem = (changes: Changes, account: Account, points: D.Decimal, cause: EntryCause & { redemptionId: string }) => {
  takeFromLots(account, points)
  account.points = D.sub(account.points, points)
  changes.entries.push(entryOf(account, "redemption", { amount: D.negate(points) }, cause))
  notify(changes, account, "redeemed", D.negate(points), ["redemption", cause.redemptionId], cause)
}

/** An operator's correction: added points are a lot of their own (spendable at once), taken points are debited like a reversal. */
export const adjust = (changes: Changes, account: Account, rules: ProgramRules, points: D.Decimal, at: number, cause: EntryCause & { idempotencyKey: string; lotKey: string; actor: Actor | null }) => {
  if (D.isNegative(points)) {
    const { moved, shortfall } = debit(account, D.negate(points), rules.negativeBalance)
    const full = { ...cause, lotKey: null }
    changes.entries.push(entryOf(account, "adjustment", { amount: D.negate(moved), shortfall }, full))
    notify(changes, account, "adjusted", D.negate(moved), ["adjustment", account.tenant, cause.idempotencyKey], full)
    return
  }
  const lot = newLot(cause.lotKey, "adjustment", points, D.fromInteger(1), at, rules, 0)
  account.lots.push(lot)
  makeSpendable(account, lot, points)
  changes.entries.push(entryOf(account, "adjustment", { amount: points }, cause))
  notify(changes, account, "adjusted", points, ["adjustment", account.tenant, cause.idempotencyKey], cause)
}

/** A pending lot becomes spendable: one `activation` entry moving its remainder over. */
export const activate = (changes: Changes, account: Account, lot: Lot) => {
  const points = lot.remaining
  lot.pending = false
  lot.changed = true
  if (D.isZero(points)) return
  account.pending = D.sub(account.pending, points)
  makeSpendable(account, lot, points)
  const cause = { lotKey: lot.lotKey, occurredAt: lot.availableAt }
  changes.entries.push(entryOf(account, "activation", { amount: points, pendingChange: D.negate(points) }, cause))
  notify(changes, account, "activated", points, ["activation", account.tenant, lot.lotKey], cause)
}

/** A lot's unspent remainder expires: one `expiry` entry for exactly that remainder. */
export const expire = (changes: Changes, account: Account, lot: Lot) => {
  const points = lot.remaining
  const wasPending = lot.pending
  lot.remaining = D.zero
  lot.expired = true
  lot.pending = false
  lot.changed = true
  if (D.isZero(points)) return
  if (wasPending) account.pending = D.sub(account.pending, points)
  else account.points = D.sub(account.points, points)
  const cause = { lotKey: lot.lotKey, occurredAt: lot.expiresAt }
  changes.entries.push(entryOf(account, "expiry", wasPending ? { pendingChange: D.negate(points) } : { amount: D.negate(points) }, cause))
  notify(changes, account, "expired", D.negate(points), ["expiry", account.tenant, lot.lotKey], cause)
}
