import type { Producer } from "kafkajs"
import { mixedTenant } from "../flow/mixed.ts"
import { post } from "../flow/setup.ts"

type Message = { key: string; value: string }

/**
 * The soak's i-th purchase, for user `m<i mod users>` of the mixed tenant (the plain campaigns,
 * points expiring after 30 days), one order each; one in ten (`i mod 10 = 4`) refunded in full
 * right after it is sent, so it may well arrive first and be held. With `users` a multiple of
 * ten, a user's purchases are all refunded or none are.
 */
export const soakPurchase = (i: number, users: number, now: number): { buy: Message; refund?: Message } => {
  const user = `m${i % users}`
  const key = `${mixedTenant}:${user}`
  const orderId = `soak-order-${i}`
  const occurredAt = new Date(now).toISOString()
  const buy = { key, value: JSON.stringify({ tenant: mixedTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `soak-${i}`, orderId, occurredAt }) }
  if (i % 10 !== 4) return { buy }
  return { buy, refund: { key, value: JSON.stringify({ tenant: mixedTenant, userId: user, orderId, eventId: `soak-refund-${i}`, occurredAt }) } }
}

/**
 * Sends purchases at `rate` a second, on a 10 ms tick, until `until` (epoch ms): each tick sends
 * what is due by then, so a slow send is caught up on, never dropped. `sent()` is the count so far.
 */
export const steadyPurchases = (producer: Producer, rate: number, users: number, until: number) => {
  let sent = 0
  const started = Date.now()
  const done = (async () => {
    while (Date.now() < until) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate)
      if (due > sent) {
        const items = Array.from({ length: due - sent }, (_, k) => soakPurchase(sent + k, users, Date.now()))
        sent = due
        await producer.send({ topic: "buy", acks: -1, messages: items.map((item) => item.buy) })
        const refunds = items.flatMap((item) => (item.refund ? [item.refund] : []))
        if (refunds.length > 0) await producer.send({ topic: "refund", acks: -1, messages: refunds })
      }
      await Bun.sleep(10)
    }
  })()
  return { sent: () => sent, done }
}

/**
 * Redeems 5 points over HTTP every `everyMs` until `until`, from users whose purchases are never
 * refunded (`m<u>` with u mod 10 = 1), in turn; a refusal (a balance not yet credited) is counted,
 * not fatal.
 */
export const steadyRedemptions = (port: number, users: number, everyMs: number, until: number) => {
  const redeemers = Array.from({ length: users / 10 }, (_, k) => `m${k * 10 + 1}`)
  const counts = { done: 0, refused: 0 }
  const done = (async () => {
    for (let n = 0; Date.now() < until; n++) {
      const user = redeemers[n % redeemers.length]!
      try {
        await post(port, `/user-rewards/${user}/redemptions`, { tenant: mixedTenant, points: 5, reason: "soak", idempotencyKey: `soak-${n}` })
        counts.done++
      } catch {
        counts.refused++
      }
      await Bun.sleep(everyMs)
    }
  })()
  return { counts, done }
}

/** A webhook receiver that answers every delivery 204 and counts them. */
export const webhookReceiver = () => {
  let received = 0
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (request) => {
    await request.arrayBuffer()
    received++
    return new Response(null, { status: 204 })
  } })
  return { url: `http://127.0.0.1:${server.port}/hook`, received: () => received, stop: () => server.stop(true) }
}
