import type { Producer } from "kafkajs"
import type postgres from "postgres"
import { createCampaigns, pointsPerPurchase, post, put } from "./setup.ts"

/** The tenant of the mixed scenario: the plain campaigns under a program whose points expire. */
export const mixedTenant = "bench-mixed"

type Ports = { campaign: number; reward: number; fulfillment: number; user: number }
type Message = { key: string; value: string }

const day = 86_400_000
const redemptionPoints = 5

/** The plain campaigns, and a program that expires points 30 days after they were earned. */
export const setUpMixed = async (ports: Ports) => {
  await createCampaigns(ports, mixedTenant)
  await put(ports.reward, `/programs/${mixedTenant}`, { points_expire_after: "P30D" })
}

/**
 * One run of the mixed load. Users fall in three groups by their number: one in ten buys with
 * event times 60 days back (their points expire as soon as the lifecycle job sees them); one in
 * twenty redeems 5 points once, over HTTP, during the run (they were funded before it); the rest
 * only buy. One purchase in ten of the others is refunded in full on topic `refund`, right after
 * it is produced (so it may well arrive first and be held). The groups never share a user, so the
 * final balances follow from what was sent: expiry never meets a redemption, a refund never meets
 * an expired lot.
 */
export const mixedRun = (events: number, users: number, run: number) => {
  const now = Date.now()
  const groupOf = (u: number) => (u % 10 === 0 ? "expiring" : u % 20 === 1 ? "redeeming" : "buying")
  const purchases: Array<Message> = []
  const refunds: Array<Message> = []
  // Everything in the order it is sent: each refund right after its purchase.
  const stream: Array<{ readonly topic: "buy" | "refund"; readonly message: Message }> = []
  let points = 0
  let expiring = 0
  for (let i = 0; i < events; i++) {
    const u = i % users
    const user = `m${u}`
    const group = groupOf(u)
    const orderId = `mo-${run}-${i}`
    const occurredAt = new Date(group === "expiring" ? now - 60 * day : now).toISOString()
    const purchase = {
      key: `${mixedTenant}:${user}`,
      value: JSON.stringify({ tenant: mixedTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `mixed-${run}-${i}`, orderId, occurredAt })
    }
    purchases.push(purchase)
    stream.push({ topic: "buy", message: purchase })
    if (group === "expiring") {
      expiring++
    } else if (i % 9 === 4) {
      const refund = { key: `${mixedTenant}:${user}`, value: JSON.stringify({ tenant: mixedTenant, userId: user, orderId, eventId: `mixed-refund-${run}-${i}`, occurredAt: new Date(now).toISOString() }) }
      refunds.push(refund)
      stream.push({ topic: "refund", message: refund })
    } else {
      points += pointsPerPurchase
    }
  }
  const redeemers = Array.from({ length: users }, (_, u) => u).filter((u) => groupOf(u) === "redeeming").map((u) => `m${u}`)
  return { purchases, refunds, stream, redeemers, expiring, points: points - redeemers.length * redemptionPoints }
}

/** Funds every redeemer with one current purchase before the run, so its redemption never waits on a credit. */
export const fundRedeemers = (redeemers: ReadonlyArray<string>, run: number): Array<Message> =>
  redeemers.map((user) => ({
    key: `${mixedTenant}:${user}`,
    value: JSON.stringify({ tenant: mixedTenant, product: "bread", amount: 120, userId: user, eventId: `mixed-seed-${run}-${user}`, orderId: `ms-${run}-${user}` })
  }))

/** What the ledger of the tenant holds: the balances' total and the entries by kind. */
export const mixedState = async (sql: postgres.Sql) => {
  const [row] = await sql<Array<{ points: string; credits: string; reversals: string; expiries: string; redemptions: string }>>`
    select
      (select coalesce(sum(points), 0)::text from reward.balances where tenant = ${mixedTenant}) as points,
      count(*) filter (where kind = 'credit')::text as credits,
      count(*) filter (where kind = 'reversal')::text as reversals,
      count(*) filter (where kind = 'expiry')::text as expiries,
      count(*) filter (where kind = 'redemption')::text as redemptions
    from reward.ledger where tenant = ${mixedTenant}`
  return { points: Number(row!.points), credits: Number(row!.credits), reversals: Number(row!.reversals), expiries: Number(row!.expiries), redemptions: Number(row!.redemptions) }
}

/** Redeems 5 points of each user over HTTP, `concurrency` at a time, each with its own idempotency key. */
export const redeemAll = async (ports: Ports, redeemers: ReadonlyArray<string>, run: number, concurrency = 8) => {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < redeemers.length) {
      const user = redeemers[next++]!
      await post(ports.reward, `/user-rewards/${user}/redemptions`, { tenant: mixedTenant, points: redemptionPoints, reason: "bench", idempotencyKey: `bench-${run}-${user}` })
    }
  }))
}

export type { Producer }
