import * as D from "../../../domain/decimal.ts"
import type { Contribution } from "../goals/accumulator.ts"
import { signatureOf, type BuyRule } from "../rule.ts"
import type { OrderLine } from "./order.ts"

/** A purchase a completion used, with its amount now (refunds shrink it). */
export interface Part {
  /** The `buy` event's id (absent for purchases counted before refunds existed). */
  readonly eventId?: string
  /** Its order id, else its event id. */
  readonly ref: string
  readonly at: number
  readonly amount: D.Decimal
}

/** The rule as it was when it completed: a refund is judged against what was promised then. */
export interface JudgedRule {
  readonly amount: D.Decimal
  readonly count: number
  readonly total: D.Decimal | undefined
  /** The rule's signature then: used parts go back to a user's progress only if it still counts for that rule. */
  readonly signature: string
}

/** One completion of a buy fulfillment: the `fulfillment` event it emitted and the purchases it used. */
export interface CompletionRecord {
  readonly tenant: string
  readonly fulfillmentEventId: string
  readonly userId: string
  readonly fulfillmentId: string
  readonly rule: JudgedRule
  readonly parts: ReadonlyArray<Part>
  readonly revoked: boolean
}

export const completionOf = (tenant: string, userId: string, fulfillmentEventId: string, rule: BuyRule, used: ReadonlyArray<Contribution>): CompletionRecord => ({
  tenant,
  fulfillmentEventId,
  userId,
  fulfillmentId: rule.id,
  rule: { amount: rule.amount, count: rule.goal?.count ?? 1, total: rule.goal?.total, signature: signatureOf(rule) },
  parts: used.map((c) => ({ ...(c.eventId !== undefined && { eventId: c.eventId }), ref: c.ref, at: c.at, amount: c.amount })),
  revoked: false
})

/** Whether `part` is the purchase `line` of order `orderId` (by its event id, else by order and time). */
export const isPartOf = (part: { readonly eventId?: string; readonly ref: string; readonly at: number }, orderId: string, line: OrderLine) =>
  part.eventId !== undefined ? part.eventId === line.eventId : part.ref === orderId && part.at === line.at

/** Whether a part still qualifies for the rule on its own: something left, and at least the rule's amount. */
export const stillQualifies = (rule: { readonly amount: D.Decimal }, amount: D.Decimal) => !D.isZero(amount) && D.compare(amount, rule.amount) >= 0

const basisOf = (rule: JudgedRule, parts: ReadonlyArray<Part>) => D.sum(parts.filter((p) => stillQualifies(rule, p.amount)).map((p) => p.amount))

export type Verdict =
  | { readonly kind: "unchanged" }
  | { readonly kind: "shrunk"; readonly record: CompletionRecord; readonly basis: D.Decimal; readonly refundedBasis: D.Decimal }
  | { readonly kind: "revoked"; readonly record: CompletionRecord; readonly basis: D.Decimal; readonly refundedBasis: D.Decimal; readonly survivors: ReadonlyArray<Part> }

/**
 * A completion judged again once the order's purchases `lines` have been (partly) refunded: each
 * part of the order is worth what is left of its purchase. It still holds when enough parts still
 * qualify on their own (`count`) and they add up to the goal's `total`; then only its spend may have
 * shrunk. Otherwise it is revoked, and the parts that still qualify are handed back (`survivors`),
 * to count again towards the user's next completion.
 */
export const rejudge = (record: CompletionRecord, orderId: string, lines: ReadonlyArray<OrderLine>): Verdict => {
  if (record.revoked) return { kind: "unchanged" }
  const parts = record.parts.map((part) => {
    const line = lines.find((l) => isPartOf(part, orderId, l))
    return line === undefined ? part : { ...part, amount: D.min(part.amount, D.sub(line.amount, line.refunded)) }
  })
  if (parts.every((p, i) => p.amount === record.parts[i]!.amount)) return { kind: "unchanged" }
  const before = basisOf(record.rule, record.parts)
  const qualifying = parts.filter((p) => stillQualifies(record.rule, p.amount))
  const basis = D.sum(qualifying.map((p) => p.amount))
  const refundedBasis = D.sub(before, basis)
  const holds = qualifying.length >= record.rule.count && (record.rule.total === undefined || D.compare(basis, record.rule.total) >= 0)
  if (holds) return { kind: "shrunk", record: { ...record, parts }, basis, refundedBasis }
  // Taken back whole: none of its spend is left to it, whatever its purchases still qualify for elsewhere.
  return { kind: "revoked", record: { ...record, parts, revoked: true }, basis: D.zero, refundedBasis: before, survivors: qualifying }
}
