import * as D from "../../../domain/decimal.ts"
import type { BuyEvent } from "../../../events/buy.ts"
import type { Consumed } from "../../../kafka/topic-handler.ts"
import { orderRefOf } from "./held-application.ts"
import { orderKeyText } from "./order.ts"
import type { NewLines } from "./orders-repo.ts"

/** A batch's purchases grouped by order (an order may have several): what each adds to its order. */
export const newLines = (consumed: ReadonlyArray<Consumed<BuyEvent>>): ReadonlyArray<NewLines> => {
  const byOrder = new Map<string, { tenant: string; orderId: string; userId: string; lines: Array<NewLines["lines"][number]> }>()
  for (const c of consumed) {
    const key = { tenant: c.event.tenant, orderId: orderRefOf(c) }
    const text = orderKeyText(key)
    const amount = D.fromNumber(c.event.amount)
    const line = { eventId: c.eventId, product: c.event.product, amount, judged: amount, refunded: D.zero, at: c.eventTime }
    const entry = byOrder.get(text)
    if (entry) entry.lines.push(line)
    else byOrder.set(text, { ...key, userId: c.event.userId, lines: [line] })
  }
  return [...byOrder.values()]
}
