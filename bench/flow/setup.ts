import { randomUUID } from "node:crypto"

/** Campaigns of the benchmark tenant; each buy event of `bread` ≥ 100 earns 10 + 1 points. */
export const benchTenant = "bench"

/** The platform admin the benchmark starts the process with. */
export const benchAdmin = { username: "bench-admin", password: "bench-admin-password" } as const

let token = ""

/** Forgets the admin's token: the next setup signs in again (against a new user service and database). */
export const signOut = () => void (token = "")

/** `PUT` as the benchmark's admin. */
export const put = async (port: number, path: string, body: unknown) => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body)
  })
  if (response.status !== 200) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<Record<string, unknown>>
}

export const post = async (port: number, path: string, body: unknown) => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body)
  })
  if (response.status !== 201 && response.status !== 200) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<Record<string, unknown>>
}

/**
 * Two single-fulfillment campaigns that every purchase completes (so each buy event yields two
 * credits), and one two-fulfillment campaign that only a bread and coffee purchase complete.
 */
export const createCampaigns = async (ports: { campaign: number; reward: number; fulfillment: number; user: number }, tenant = benchTenant) => {
  if (token === "") token = String((await post(ports.user, "/auth/login", benchAdmin)).accessToken)
  const [ten, one, five] = [randomUUID(), randomUUID(), randomUUID()]
  const [bread, any, coffee] = [randomUUID(), randomUUID(), randomUUID()]
  await post(ports.user, "/tenants", { id: tenant, name: `Benchmark ${tenant}` })
  await post(ports.reward, "/rewards/", { tenant, reward_id: ten, reward_points: 10 })
  await post(ports.reward, "/rewards/", { tenant, reward_id: one, reward_points: 1 })
  await post(ports.reward, "/rewards/", { tenant, reward_id: five, reward_points: 5 })
  await post(ports.fulfillment, "/buy-fulfillments/", { tenant, fulfillment_id: bread, name: "bread", product: "bread", amount: 100 })
  await post(ports.fulfillment, "/buy-fulfillments/", { tenant, fulfillment_id: any, name: "any", product: "", amount: 0 })
  await post(ports.fulfillment, "/buy-fulfillments/", { tenant, fulfillment_id: coffee, name: "coffee", product: "coffee", amount: 1 })
  await post(ports.campaign, "/campaign", { tenant, name: "bread", fulfillments: [bread], rewards: [ten] })
  await post(ports.campaign, "/campaign", { tenant, name: "visit", fulfillments: [any], rewards: [one] })
  await post(ports.campaign, "/campaign", { tenant, name: "breakfast", fulfillments: [bread, coffee], rewards: [five] })
}

/** Points a bread purchase of ≥ 100 earns under those campaigns (the breakfast one never completes). */
export const pointsPerPurchase = 11
