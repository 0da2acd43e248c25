import postgres from "postgres"
import { api } from "./flow.ts"

/** What a shop's catalogue for the lifecycle flows holds: its rules, rewards and campaigns by name. */
export interface Catalogue {
  readonly perAmount: string
  readonly fixed: string
  readonly teaPoints: string
  readonly afterReview: string
  readonly cakeRule: string
  readonly reviewRule: string
  readonly twoStep: string
}

/**
 * One tenant with its program and three campaigns: "tea" (any tea purchase earns 10, one reward),
 * "bread" (a purchase of at least 100.00 earns 1 per 10.00, rounded down, and 10 more) and "cake
 * and review" (a cake of at least 20.00 and a review earn 7).
 */
export const createShop = async (http: ReturnType<typeof api>, tenant: string, program: Record<string, unknown>): Promise<Catalogue> => {
  await http.create("user", "/tenants", { id: tenant, name: tenant })
  const id = async (service: "reward" | "fulfillment", path: string, body: Record<string, unknown>, field: string) =>
    String(((await http.create(service, path, { tenant, ...body })) as Record<string, unknown>)[field])
  const perAmount = await id("reward", "/rewards/", { name: "1 per 10.00", kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "down" }, "reward_id")
  const fixed = await id("reward", "/rewards/", { reward_points: 10 }, "reward_id")
  const teaPoints = await id("reward", "/rewards/", { reward_points: 10 }, "reward_id")
  const afterReview = await id("reward", "/rewards/", { reward_points: 7 }, "reward_id")
  const teaRule = await id("fulfillment", "/buy-fulfillments/", { name: "tea", product: "tea", amount: 1 }, "fulfillment_id")
  const breadRule = await id("fulfillment", "/buy-fulfillments/", { name: "bread", product: "bread", amount: 100 }, "fulfillment_id")
  const cakeRule = await id("fulfillment", "/buy-fulfillments/", { name: "cake", product: "cake", amount: 20 }, "fulfillment_id")
  const reviewRule = await id("fulfillment", "/tag-fulfillments/", { name: "review", tag: "review" }, "fulfillment_id")
  await http.create("campaign", "/campaign", { tenant, name: "tea", fulfillments: [teaRule], rewards: [teaPoints] })
  await http.create("campaign", "/campaign", { tenant, name: "bread", fulfillments: [breadRule], rewards: [perAmount, fixed] })
  const twoStep = String(((await http.create("campaign", "/campaign", { tenant, name: "cake and review", fulfillments: [cakeRule, reviewRule], rewards: [afterReview] })) as { id: string }).id)
  const programmed = await http.call("reward", "PUT", `/programs/${tenant}`, program)
  if (programmed.status !== 200) throw new Error(`PUT /programs/${tenant} → ${programmed.status} ${JSON.stringify(programmed.body)}`)
  return { perAmount, fixed, teaPoints, afterReview, cakeRule, reviewRule, twoStep }
}

/** A purchase of one line of an order (the order id names its event). */
export const purchase = (tenant: string, userId: string, orderId: string, product: string, amount: number, occurredAt: string) =>
  ({ tenant, userId, orderId, eventId: `${orderId}-line-1`, product, amount, occurredAt })

/** A refund of an order: of `amount`, or of everything left of it. */
export const refundOf = (tenant: string, userId: string, orderId: string, eventId: string, occurredAt: string, amount?: number) =>
  ({ tenant, userId, orderId, eventId, occurredAt, ...(amount !== undefined && { amount }) })

export interface LedgerRow {
  readonly kind: string
  readonly amount: number
  readonly pending: number
  readonly shortfall: number
  readonly rewardId: string | null
  readonly eventId: string | null
  readonly causeEventId: string | null
  readonly orderId: string | null
  readonly lotId: string | null
  readonly actor: { kind: string; id: string } | null
}

export interface BalanceAnswer {
  readonly points: number
  readonly pending: number
  readonly lifetime_earned: number
  readonly tier: string | null
}

/** The reward service's answers about one user: balance and ledger (newest first). */
export const rewardViews = (http: () => ReturnType<typeof api>) => ({
  balance: async (tenant: string, userId: string) =>
    (await http().call("reward", "GET", `/user-rewards/${userId}/?tenant=${tenant}`)).body as BalanceAnswer,
  ledger: async (tenant: string, userId: string) =>
    ((await http().call("reward", "GET", `/user-rewards/${userId}/ledger?tenant=${tenant}&limit=500`)).body as { entries: Array<LedgerRow> }).entries
})

export interface LotRow {
  readonly tenant: string
  readonly userId: string
  readonly lotKey: string
  readonly points: string
  readonly multiplier: string
  readonly remaining: string
  readonly reversed: string
  readonly pending: boolean
  readonly expired: boolean
}

/** Every lot as stored, in a stable order, read straight from PostgreSQL. */
export const storedLots = async (url: string): Promise<Array<LotRow>> => {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const rows = await sql<Array<LotRow>>`
      select tenant, user_id as "userId", lot_key as "lotKey", points::text, multiplier::text, remaining::text, reversed::text, pending, expired
      from reward.lots order by tenant, user_id, lot_key`
    return rows.map((row) => ({ ...row }))
  } finally {
    await sql.end()
  }
}
