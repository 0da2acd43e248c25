import * as D from "../../../domain/decimal.ts"
import type { Account, Changes, Lot } from "../lots/model.ts"
import { reverse } from "../lots/movements.ts"
import type { ProgramRules } from "../program/model.ts"
import type { HeldReversal } from "./held-repo.ts"

/** A `reward-revoked` event against its credit's lot: `points` (before the multiplier) or the whole credit. */
export const applyReversal = (changes: Changes, account: Account, rules: ProgramRules, lot: Lot, reversal: HeldReversal) => {
  const { event } = reversal
  reverse(changes, account, rules, lot, event.points === undefined ? undefined : D.fromText(event.points), {
    eventId: reversal.eventId,
    occurredAt: reversal.eventTime,
    rewardId: event.rewardId,
    campaignId: event.campaignId,
    causeEventId: event.causeEventId,
    ...(event.orderId === undefined ? {} : { orderId: event.orderId })
  })
}

/** Why a reversal cannot be applied at all, if it cannot. */
export const refusalOf = (reversal: HeldReversal): string | undefined => {
  const points = reversal.event.points
  if (points === undefined) return undefined
  return D.compare(D.fromText(points), D.zero) > 0 ? undefined : `points must be greater than 0 (${points})`
}
