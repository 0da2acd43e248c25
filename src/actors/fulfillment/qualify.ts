import { type Decimal, fromNumber, zero } from "../../domain/decimal.ts"
import type { ActivityEvent } from "../../events/activity.ts"
import type { BuyEvent } from "../../events/buy.ts"
import type { Qualifying } from "./goals/settle.ts"
import { matchBuyRules, matchTagRules, type TenantIndex } from "./matching.ts"

export type Qualified = Pick<Qualifying, "rules" | "contribution">

/**
 * A purchase as the rules see it, at its event time: the fulfillments it qualifies for, and what
 * it contributes to cumulative ones. Its amount is an exact decimal from here on. `ref` is what
 * a completion reports in `orderIds`: the order id, else the event id.
 */
export const qualifyPurchase = (index: TenantIndex, event: BuyEvent, at: number, ref: string, eventId?: string): Qualified =>
  qualifyAmount(index, event.product, fromNumber(event.amount), at, ref, eventId)

/**
 * A purchase judged on `amount` (what is left of it when a refund came first). Nothing is left of
 * a purchase refunded in full, so it qualifies for nothing, not even "any amount".
 */
export const qualifyAmount = (index: TenantIndex, product: string, amount: Decimal, at: number, ref: string, eventId?: string): Qualified => ({
  rules: amount === zero ? [] : matchBuyRules(index, { product, amount }),
  contribution: { at, amount, ref, ...(eventId !== undefined && { eventId }) }
})

/** An activity as the rules see it: it counts once towards each tag fulfillment with its tag. */
export const qualifyActivity = (index: TenantIndex, event: ActivityEvent, at: number, ref: string): Qualified =>
  ({ rules: matchTagRules(index, event), contribution: { at, amount: zero, ref } })
