import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import type { Consumer } from "kafkajs"
import postgres from "postgres"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually, groupsCaughtUp, kafkaClient, loyalteaGroups, produce } from "../support/flow.ts"
import { type Catalogue, createShop, purchase, refundOf } from "../support/lifecycle.ts"
import { type ExpectedLot, expectedLots, type RewardName, type SentOrder } from "../support/lifecycle-oracle.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../support/process.ts"

const tenant = "crash-life"
const day = 86_400_000
const hour = 3_600_000
// Pending for a day, expiring after 30: every credit is activated by the job, the oldest also expire.
const program = { pending_days: 1, points_expire_after: "P30D" }
const now = Date.now()
const ago = (days: number, i: number) => now - days * day + i * 60_000

/** A redemption answered with a refusal: the test fails, nothing is retried. */
class Refused extends Error {}

interface Redemption { readonly userId: string; readonly points: number; readonly key: string }

/**
 * Users by what happens to them, so that what they end with does not depend on how the kills
 * interleave with the topics: some only see their points expire; some buy and get refunds
 * (partial, full, several per order); some get refunds before their purchase; some spend the
 * first lot to expire (redeemed over HTTP) while other orders of theirs are refunded.
 */
const expiring = Array.from({ length: 12 }, (_, i) => `exp-${i}`)
const refunded = Array.from({ length: 24 }, (_, i) => `ref-${i}`)
const early = Array.from({ length: 8 }, (_, i) => `early-${i}`)
const spenders = Array.from({ length: 12 }, (_, i) => `spend-${i}`)

const orders: Array<SentOrder> = [
  ...expiring.flatMap((userId, i) => [
    { userId, orderId: `${userId}-a`, product: "tea" as const, cents: 250, at: ago(40, i), refunds: [] },
    { userId, orderId: `${userId}-b`, product: "tea" as const, cents: 399, at: ago(33, i), refunds: [] }
  ]),
  ...refunded.flatMap((userId, i): Array<SentOrder> => [
    // Stays above the threshold: the per_amount credit shrinks, twice.
    { userId, orderId: `${userId}-a`, product: "bread", cents: 15_000 + (i % 5) * 1_033, at: ago(5, i), refunds: [
      { eventId: `${userId}-a-r1`, cents: 2_000, at: ago(5, i) + hour, beforePurchase: false },
      { eventId: `${userId}-a-r2`, cents: 1_250, at: ago(5, i) + 2 * hour, beforePurchase: false }
    ] },
    // Refunded in full.
    { userId, orderId: `${userId}-b`, product: "tea", cents: 450, at: ago(4, i), refunds: [{ eventId: `${userId}-b-r1`, at: ago(4, i) + hour, beforePurchase: false }] },
    // Drops below the threshold: the whole round is taken back; a later refund finds nothing left to take.
    { userId, orderId: `${userId}-c`, product: "bread", cents: 12_000, at: ago(3, i), refunds: [
      { eventId: `${userId}-c-r1`, cents: 3_000, at: ago(3, i) + hour, beforePurchase: false },
      { eventId: `${userId}-c-r2`, cents: 500, at: ago(3, i) + 2 * hour, beforePurchase: false }
    ] }
  ]),
  ...early.flatMap((userId, i): Array<SentOrder> => [
    { userId, orderId: `${userId}-a`, product: "bread", cents: 16_000, at: ago(5, i), refunds: [
      { eventId: `${userId}-a-r0`, cents: 2_000, at: ago(5, i) + hour, beforePurchase: true },
      { eventId: `${userId}-a-r1`, cents: 5_000, at: ago(5, i) + 2 * hour, beforePurchase: false }
    ] },
    // Refunded in full before it arrived: it credits nothing.
    { userId, orderId: `${userId}-b`, product: "tea", cents: 300, at: ago(4, i), refunds: [{ eventId: `${userId}-b-r0`, at: ago(4, i) + hour, beforePurchase: true }] }
  ]),
  ...spenders.flatMap((userId, i): Array<SentOrder> => [
    // The first to expire (in 10 days): every redemption is taken from it.
    { userId, orderId: `${userId}-a`, product: "tea", cents: 500, at: ago(20, i), refunds: [] },
    { userId, orderId: `${userId}-b`, product: "bread", cents: 14_000, at: ago(5, i), refunds: [{ eventId: `${userId}-b-r1`, cents: 2_500, at: ago(5, i) + hour, beforePurchase: false }] },
    { userId, orderId: `${userId}-c`, product: "tea", cents: 200, at: ago(4, i), refunds: [{ eventId: `${userId}-c-r1`, at: ago(4, i) + hour, beforePurchase: false }] }
  ])
]
const redemptions: Array<Redemption> = spenders.flatMap((userId, i) => [
  { userId, points: 2.5, key: `${userId}-mug` },
  { userId, points: 3, key: `${userId}-cup` },
  ...(i % 2 === 0 ? [{ userId, points: 1.25, key: `${userId}-lid` }] : [])
])
const expiringUsers = new Set(expiring)

interface StoredLot {
  readonly user_id: string
  readonly reward_id: string
  readonly order_ids: Array<string> | null
  readonly points: string
  readonly reversed: string
  readonly remaining: string
  readonly pending: boolean
  readonly expired: boolean
  readonly reversals: string
  readonly activations: string
  readonly expiries: string
  readonly credits: string
}

describe("SIGKILL during a mixed stream of purchases, refunds and redemptions with the lifecycle jobs running", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess
  let sql: ReturnType<typeof postgres>
  let shop: Catalogue
  let reader: Consumer
  const notified = new Map<string, string>()
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: broker.address, LOG_LEVEL: "warn", LOYALTEA_LIFECYCLE_JOB_MS: "150" })
  const start = async () => {
    lt = await spawnLoyaltea(env())
    await waitStarted(lt)
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBrokerProcess({ partitions: 3 })
    await start()
    shop = await createShop(api(lt), tenant, program)
    sql = postgres(database.url, { max: 2, onnotice: () => {} })
    reader = kafkaClient(broker.address).consumer({ groupId: `lifecycle-crash-${randomUUID()}`, maxWaitTimeInMs: 100 })
    await reader.connect()
    await reader.subscribe({ topics: ["reward-notify"], fromBeginning: true })
    await reader.run({ eachMessage: async ({ message }) => {
      const event = JSON.parse(String(message.value)) as { eventId: string; kind: string }
      notified.set(event.eventId, event.kind)
    } })
  }, 120_000)
  afterAll(async () => {
    await reader?.disconnect()
    await sql?.end()
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  /** Every credit's lot with what the ledger holds of it, read straight from PostgreSQL. */
  const storedLots = () => sql<Array<StoredLot>>`
    select l.user_id, c.reward_id, c.order_ids, l.points::text, l.reversed::text, l.remaining::text, l.pending, l.expired,
      (select count(*) from reward.ledger e where e.lot_id = l.id and e.kind = 'reversal')::text as reversals,
      (select count(*) from reward.ledger e where e.lot_id = l.id and e.kind = 'activation')::text as activations,
      (select count(*) from reward.ledger e where e.lot_id = l.id and e.kind = 'expiry')::text as expiries,
      (select count(*) from reward.ledger e where e.lot_id = l.id and e.kind = 'credit')::text as credits
    from reward.lots l join reward.ledger c on c.lot_id = l.id and c.kind = 'credit'
    where l.tenant = ${tenant}`
  const lotsOf = async (users: ReadonlyArray<string>) => (await storedLots()).filter((lot) => users.includes(lot.user_id))

  /** POSTs a redemption until it has an answer, with the same idempotency key across kills. */
  const redeem = async (redemption: Redemption) => {
    for (;;) {
      try {
        const answer = await api(lt).call("reward", "POST", `/user-rewards/${redemption.userId}/redemptions`, { tenant, points: redemption.points, reason: "crash test", idempotencyKey: redemption.key })
        if (answer.status === 201 || answer.status === 200) return answer.status
        if (answer.status < 500) throw new Refused(`redemption ${redemption.key} → ${answer.status} ${JSON.stringify(answer.body)}`)
      } catch (error) {
        // Anything else is the process being down or restarting: the same request is sent again.
        if (error instanceof Refused) throw error
      }
      await Bun.sleep(200)
    }
  }
  const send = async (topic: string, values: ReadonlyArray<unknown>) => {
    for (let i = 0; i < values.length; i += 15) {
      await produce(broker.address, topic, values.slice(i, i + 15))
      await Bun.sleep(60)
    }
  }
  const purchasesOf = (list: ReadonlyArray<SentOrder>) => list.map((o) => purchase(tenant, o.userId, o.orderId, o.product, o.cents / 100, new Date(o.at).toISOString()))
  const refundsOf = (list: ReadonlyArray<SentOrder>, before: boolean) =>
    list.flatMap((o) => o.refunds.filter((r) => r.beforePurchase === before).map((r) =>
      refundOf(tenant, o.userId, o.orderId, r.eventId, new Date(r.at).toISOString(), r.cents === undefined ? undefined : r.cents / 100)))
  const ordersOf = (users: ReadonlyArray<string>) => orders.filter((o) => users.includes(o.userId))
  const creditedLots = (users: ReadonlyArray<string>) => ordersOf(users).flatMap((o) => expectedLots({ ...o, refunds: o.refunds.filter((r) => r.beforePurchase) })).length

  test("after four kills the ledger holds exactly what was sent: every purchase credited, refund reversed and redemption debited once", async () => {
    const answers: Array<number> = []
    const stream = async () => {
      // Refunds that come before their purchase: held first (so the purchase is judged on what is left).
      await send("refund", refundsOf(ordersOf(early), true))
      await eventually(async () => (await sql`select count(*)::int as held from fulfillment.held_refunds where tenant = ${tenant}`)[0]!.held as number,
        (held) => held === early.length * 2, 90_000)
      await send("buy", purchasesOf(orders))
      // A refund is sent once its purchase is credited, as a shop refunds an order it has delivered.
      const afterPurchase = [...refunded, ...early, ...spenders]
      await eventually(() => lotsOf(afterPurchase), (lots) => lots.length === creditedLots(afterPurchase), 90_000)
      const refunding = send("refund", refundsOf(ordersOf(afterPurchase), false))
      // Spenders redeem once their first lot is spendable, so it is the one every redemption takes from.
      await eventually(() => lotsOf(spenders), (lots) => lots.filter((l) => l.order_ids?.some((id) => id.endsWith("-a")) && !l.pending).length === spenders.length, 90_000)
      const redeeming = (async () => {
        for (const redemption of redemptions) answers.push(await redeem(redemption))
      })()
      await Promise.all([refunding, redeeming])
    }
    const reversals = async () => (await sql`select count(*)::int as n from reward.ledger where tenant = ${tenant} and kind = 'reversal'`)[0]!.n as number
    // Each kill lands in a different stretch: crediting, reversing, redeeming, and redeeming again.
    const moments: Array<() => Promise<boolean>> = [
      async () => (await storedLots()).length > 0,
      async () => (await reversals()) > 0,
      async () => answers.length >= 4,
      async () => answers.length >= 16
    ]
    const kills = async () => {
      for (const moment of moments) {
        await eventually(moment, (now) => now, 90_000)
        lt.proc.kill("SIGKILL")
        await lt.exited
        await start()
      }
    }
    await Promise.all([stream(), kills()])
    // Retried after a kill, a redemption may find its first attempt committed: then it answers 200.
    expect(answers).toHaveLength(redemptions.length)

    const expected = orders.flatMap(expectedLots).map((lot) => ({
      ...lot,
      remaining: expiringUsers.has(lot.userId) ? 0 : lot.points - lot.reversed - (lot.orderId.endsWith("-a") && lot.userId.startsWith("spend-")
        ? redemptions.filter((r) => r.userId === lot.userId).reduce((sum, r) => sum + r.points, 0) : 0),
      expired: expiringUsers.has(lot.userId)
    }))
    const rewardName = (id: string): RewardName => (id === shop.perAmount ? "perAmount" : id === shop.fixed ? "fixed" : "teaPoints")
    const actual = async () => (await storedLots()).map((lot) => ({
      userId: lot.user_id,
      orderId: lot.order_ids?.join(",") ?? "",
      reward: rewardName(lot.reward_id),
      points: Number(lot.points),
      reversed: Number(lot.reversed),
      reversals: Number(lot.reversals),
      remaining: Number(lot.remaining),
      expired: lot.expired
    }))
    const key = (lot: Pick<ExpectedLot, "userId" | "orderId" | "reward">) => `${lot.userId} ${lot.orderId} ${lot.reward}`
    const sorted = <A extends Pick<ExpectedLot, "userId" | "orderId" | "reward">>(lots: ReadonlyArray<A>) => [...lots].sort((a, b) => key(a).localeCompare(key(b)))
    expect(await eventually(() => groupsCaughtUp(broker.address, loyalteaGroups), (done) => done, 90_000)).toBe(true)
    expect(sorted(await eventually(actual, (lots) => Bun.deepEquals(sorted(lots), sorted(expected)), 60_000))).toEqual(sorted(expected))

    // Every lot: credited once, activated at most once, expired once if its date passed and never else; never below zero.
    const lots = await storedLots()
    expect(lots.every((l) => l.credits === "1" && Number(l.activations) <= 1 && l.expiries === (l.expired ? "1" : "0") && !l.pending && Number(l.remaining) >= 0)).toBe(true)
    // A lot with points left had them when it was activated: that took one entry.
    expect(lots.filter((l) => Number(l.remaining) > 0).every((l) => l.activations === "1")).toBe(true)
    // Balance = the sum of the entries = the sum of the lots' remainders, for every user.
    const balances = await sql<Array<{ user_id: string; points: string; pending: string; entries: string; pending_entries: string; lots: string }>>`
      select b.user_id, b.points::text, b.pending::text,
        (select coalesce(sum(amount), 0) from reward.ledger e where e.tenant = b.tenant and e.user_id = b.user_id)::text as entries,
        (select coalesce(sum(pending_change), 0) from reward.ledger e where e.tenant = b.tenant and e.user_id = b.user_id)::text as pending_entries,
        (select coalesce(sum(remaining), 0) from reward.lots l where l.tenant = b.tenant and l.user_id = b.user_id)::text as lots
      from reward.balances b where b.tenant = ${tenant}`
    const oracleBalance = (userId: string) => expected.filter((l) => l.userId === userId).reduce((sum, l) => sum + l.remaining, 0)
    expect(balances.map((b) => [b.user_id, Number(b.points), Number(b.entries), Number(b.lots), Number(b.pending), Number(b.pending_entries)]).sort())
      .toEqual(balances.map((b) => [b.user_id, oracleBalance(b.user_id), oracleBalance(b.user_id), oracleBalance(b.user_id), 0, 0]).sort())
    expect(new Set(balances.map((b) => b.user_id))).toEqual(new Set(orders.filter((o) => expectedLots(o).length > 0).map((o) => o.userId)))
    // Every redemption debited once, from the key it was sent with.
    const debited = await sql<Array<{ idempotency_key: string; points: string; entries: string }>>`
      select r.idempotency_key, r.points::text,
        (select count(*) from reward.ledger e where e.tenant = r.tenant and e.kind = 'redemption' and e.redemption_id = r.id)::text as entries
      from reward.redemptions r where r.tenant = ${tenant}`
    expect(debited.map((r) => [r.idempotency_key, Number(r.points), r.entries]).sort()).toEqual(redemptions.map((r) => [r.key, r.points, "1"]).sort())
    expect(await api(lt).call("fulfillment", "GET", `/held-refunds?tenant=${tenant}`)).toMatchObject({ body: { tenants: [] } })
    // No movement lost its notification to a kill between commit and publication (copies are one event id).
    const movement: Record<string, string> = { credit: "credited", redemption: "redeemed", reversal: "reversed", expiry: "expired", activation: "activated" }
    const entries = await sql<Array<{ kind: string; n: number }>>`select kind, count(*)::int as n from reward.ledger where tenant = ${tenant} group by kind`
    const wanted = Object.fromEntries(entries.map((e) => [movement[e.kind]!, e.n]))
    const kinds = () => Promise.resolve([...notified.values()].reduce<Record<string, number>>((count, kind) => ({ ...count, [kind]: (count[kind] ?? 0) + 1 }), {}))
    expect(await eventually(kinds, (count) => Bun.deepEquals(count, wanted), 30_000)).toEqual(wanted)
  }, 240_000)
})
