import { randomUUID } from "node:crypto"
import { post } from "./setup.ts"

/** The tenant of the rules scenario, its periods counted in Berlin. */
export const rulesTenant = "bench-rules"

/**
 * The plain scenario's three campaigns under the rule language, so each purchase does the same
 * work and more: bread of at least 100 earns 1 point per 10.00 (at most 500) in a campaign with a
 * window and per-user limits per month in the tenant's zone; every visit earns 1 point; the
 * breakfast campaign (never completed: nobody buys coffee) now waits on a cumulative goal, bread
 * three times within seven days, which every purchase counts towards.
 */
export const createRulesCampaigns = async (ports: { campaign: number; reward: number; fulfillment: number; user: number }) => {
  const [perAmount, one, five] = [randomUUID(), randomUUID(), randomUUID()]
  const [bread, any, breadWeek, coffee] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
  await post(ports.user, "/tenants", { id: rulesTenant, name: "Benchmark under rules", timeZone: "Europe/Berlin" })
  await post(ports.reward, "/rewards/", { tenant: rulesTenant, reward_id: perAmount, kind: "per_amount", points_per_unit: 1, unit: 10, rounding: "down", max_points: 500 })
  await post(ports.reward, "/rewards/", { tenant: rulesTenant, reward_id: one, reward_points: 1 })
  await post(ports.reward, "/rewards/", { tenant: rulesTenant, reward_id: five, reward_points: 5 })
  await post(ports.fulfillment, "/buy-fulfillments/", { tenant: rulesTenant, fulfillment_id: bread, name: "bread", product: "bread", amount: 100 })
  await post(ports.fulfillment, "/buy-fulfillments/", { tenant: rulesTenant, fulfillment_id: any, name: "any", product: "", amount: 0 })
  await post(ports.fulfillment, "/buy-fulfillments/", { tenant: rulesTenant, fulfillment_id: breadWeek, name: "bread three times a week", product: "bread", amount: 0, count: 3, within: "P7D" })
  await post(ports.fulfillment, "/buy-fulfillments/", { tenant: rulesTenant, fulfillment_id: coffee, name: "coffee", product: "coffee", amount: 1 })
  await post(ports.campaign, "/campaign", {
    tenant: rulesTenant,
    name: "bread, per amount, in a window, limited",
    fulfillments: [bread],
    rewards: [perAmount],
    startsAt: "2020-01-01T00:00:00Z",
    endsAt: "2040-01-01T00:00:00Z",
    limits: { perUser: 1_000_000, perUserPerPeriod: { count: 1_000_000, period: "month" } }
  })
  await post(ports.campaign, "/campaign", { tenant: rulesTenant, name: "visit", fulfillments: [any], rewards: [one] })
  await post(ports.campaign, "/campaign", { tenant: rulesTenant, name: "breakfast week", fulfillments: [breadWeek, coffee], rewards: [five] })
}

/** What purchases of these amounts (each ≥ 100, all inside one week) earn under those rules. */
export const rulesPoints = (amounts: ReadonlyArray<number>) => amounts.reduce((sum, amount) => sum + Math.floor(amount / 10) + 1, 0)
