import { randomUUID } from "node:crypto"
import { post } from "../flow/setup.ts"

type Ports = { campaign: number; reward: number; fulfillment: number; user: number }

/** Fulfillments and campaigns `createCampaigns` gives the benchmark tenant (each purchase matches two fulfillments and three campaigns). */
export const baseRules = 3

/** The reward of the campaigns added for the rules curve. */
export const createFillerReward = async (ports: Ports, tenant: string) => {
  const rewardId = randomUUID()
  await post(ports.reward, "/rewards/", { tenant, reward_id: rewardId, reward_points: 1 })
  return rewardId
}

/**
 * Through the HTTP API, as a tenant's admin would: fulfillments `from` … `to - 1`, each a buy of
 * its own product (`p<i>`, which no purchase of the measured load names, so none of them
 * matches), each in a campaign of its own with `rewardId`. `concurrency` requests at a time.
 */
export const addRules = async (ports: Ports, tenant: string, rewardId: string, from: number, to: number, concurrency = 4) => {
  let next = from
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < to) {
      const i = next++
      const fulfillmentId = randomUUID()
      await post(ports.fulfillment, "/buy-fulfillments/", { tenant, fulfillment_id: fulfillmentId, name: `product ${i}`, product: `p${i}`, amount: 1 })
      await post(ports.campaign, "/campaign", { tenant, name: `product ${i}`, fulfillments: [fulfillmentId], rewards: [rewardId] })
    }
  }))
}
