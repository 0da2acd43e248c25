import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import { InvalidInput } from "../../../domain/errors.ts"
import type { RefundEvent } from "../../../events/refund.ts"
import { Topics } from "../../../events/topics.ts"
import { type EventsBody, fieldOf, listOf } from "../events-body.ts"
import { type Order, orderKeyText, refund } from "./order.ts"
import { findOrders } from "./orders-repo.ts"

const processedRefunds = (sql: Sql, refunds: ReadonlyArray<{ readonly tenant: string; readonly eventId: string }>) =>
  exec(() => sql<Array<{ tenant: string; event_id: string }>>`
    select p.tenant, p.event_id from fulfillment.processed_events p
    join unnest(${refunds.map((r) => r.tenant)}::text[], ${refunds.map((r) => r.eventId)}::text[]) as k(tenant, event_id)
      on p.tenant = k.tenant and p.topic = ${Topics.refund} and p.event_id = k.event_id`).pipe(
    Effect.map((rows) => new Set(rows.map((r) => `${r.tenant}\u0000${r.event_id}`)))
  )

/**
 * What can be told at once of a request's refunds, before anything is sent: one of another user's
 * order, or of more than is left of an order already bought (with the request's earlier refunds
 * counted), is refused with 422 naming the field. A refund already applied is a retry, not a second
 * refund, and passes (the consumer drops it). Orders not bought yet cannot be judged: their refunds
 * pass and wait for the purchase.
 */
export const checkRefunds = (sql: Sql, body: EventsBody<RefundEvent>, identified: ReadonlyArray<RefundEvent & { readonly eventId: string }>) =>
  Effect.gen(function*() {
    const keys = [...new Map(identified.map((r) => [orderKeyText(r), { tenant: r.tenant, orderId: r.orderId }])).values()]
    const orders = new Map<string, Order>((yield* findOrders(sql, keys)).filter((o) => o.lines.length > 0).map((o) => [orderKeyText(o), o]))
    if (orders.size === 0) return
    const applied = yield* processedRefunds(sql, identified)
    for (const [index, event] of listOf(identified).entries()) {
      const text = orderKeyText(event)
      const order = orders.get(text)
      if (order === undefined || applied.has(`${event.tenant}\u0000${event.eventId}`)) continue
      if (order.userId !== event.userId) {
        return yield* new InvalidInput({ field: fieldOf(body, index, "userId"), reason: `order ${event.orderId} was bought by another user` })
      }
      const result = refund(order, event.amount === undefined ? undefined : D.fromNumber(event.amount))
      if (result.kind === "refused") return yield* new InvalidInput({ field: fieldOf(body, index, event.amount === undefined ? "orderId" : "amount"), reason: result.reason })
      orders.set(text, result.order)
    }
  })
