import { randomUUID } from "node:crypto"

/** A request a route can be called with, aimed at tenant A's data. */
export interface Call {
  readonly path: string
  readonly body?: unknown
  /** Headers the call needs besides the credential (an import's media type). */
  readonly headers?: Record<string, string>
}

/** Creates a resource of tenant A as the platform admin and returns its id (for PUT, DELETE, GET by id). */
export type Create = (service: string, path: string, body: unknown, idField: string) => Promise<string>

export const tenantA = "tenant-a"
const uuid = () => randomUUID()
const slug = () => `t${randomUUID().slice(0, 8)}`

const reward = () => ({ tenant: tenantA, reward_points: 5 })
const buy = () => ({ tenant: tenantA, name: "bread", product: "bread", amount: 10 })
const tag = () => ({ tenant: tenantA, name: "review", tag: "review" })
const campaign = () => ({ tenant: tenantA, name: "c", fulfillments: [uuid()], rewards: [uuid()] })
const member = () => ({ tenant: tenantA, fullname: "Ada", username: `ada-${uuid()}` })
const operator = () => ({ username: `op-${uuid()}`, password: "a-long-enough-password", role: "tenant-viewer", tenant: tenantA })
const apiKey = () => ({ name: "shop", tenant: tenantA, scopes: ["read"] })
const webhook = () => ({ tenant: tenantA, url: "https://hooks.example.com/loyaltea", events: ["credited"] })
const webhookPath = async (c: Create) => `/webhooks/${await c("reward", "/webhooks", webhook(), "id")}`

/**
 * For every route (by `METHOD path` as in the OpenAPI documents), a well-formed call aimed at
 * tenant A, so that whoever is allowed gets past authorization, and a wrong tenant touches A's data.
 * A route missing here makes the authorization test fail: every new route needs a case.
 */
export const fixtures: Record<string, (create: Create) => Promise<Call>> = {
  "get /": async () => ({ path: "/" }),
  "get /metrics": async () => ({ path: "/metrics" }),
  "get /health": async () => ({ path: "/health" }),
  "get /ready": async () => ({ path: "/ready" }),
  // campaign
  "post /campaign": async () => ({ path: "/campaign", body: campaign() }),
  "get /campaign": async () => ({ path: `/campaign?tenant=${tenantA}` }),
  "get /campaign/{id}": async (c) => ({ path: `/campaign/${await c("campaign", "/campaign", campaign(), "id")}` }),
  "put /campaign/{id}": async (c) => ({ path: `/campaign/${await c("campaign", "/campaign", campaign(), "id")}`, body: { name: "d", fulfillments: [uuid()], rewards: [uuid()] } }),
  "patch /campaign/{id}": async (c) => ({ path: `/campaign/${await c("campaign", "/campaign", campaign(), "id")}`, body: { status: "paused" } }),
  "delete /campaign/{id}": async (c) => ({ path: `/campaign/${await c("campaign", "/campaign", campaign(), "id")}` }),
  "post /campaign/{id}/backfill": async (c) => ({ path: `/campaign/${await c("campaign", "/campaign", campaign(), "id")}/backfill`, body: { from: "2026-01-01T00:00:00Z" } }),
  "get /campaign/{id}/backfill": async (c) => {
    const id = await c("campaign", "/campaign", campaign(), "id")
    await c("campaign", `/campaign/${id}/backfill`, { from: "2026-01-01T00:00:00Z" }, "id")
    return { path: `/campaign/${id}/backfill` }
  },
  "get /campaign/{id}/backfills": async (c) => {
    const id = await c("campaign", "/campaign", campaign(), "id")
    await c("campaign", `/campaign/${id}/backfill`, { from: "2026-01-01T00:00:00Z" }, "id")
    return { path: `/campaign/${id}/backfills` }
  },
  "get /campaign/{id}/backfills/{jobId}": async (c) => {
    const id = await c("campaign", "/campaign", campaign(), "id")
    const job = await c("campaign", `/campaign/${id}/backfill`, { from: "2026-01-01T00:00:00Z" }, "id")
    return { path: `/campaign/${id}/backfills/${job}` }
  },
  "get /campaign/{id}/progress/{userId}": async (c) => ({ path: `/campaign/${await c("campaign", "/campaign", campaign(), "id")}/progress/u1` }),
  "post /campaign/evaluate": async () => ({
    path: "/campaign/evaluate",
    body: { tenant: tenantA, userId: "u1", occurredAt: "2026-03-14T10:00:00Z", fulfillments: [{ fulfillmentId: uuid(), basis: 12.5 }] }
  }),
  // reward
  "post /rewards/": async () => ({ path: "/rewards/", body: reward() }),
  "get /rewards/": async () => ({ path: `/rewards/?tenant=${tenantA}` }),
  "get /rewards/{rewardId}/": async (c) => ({ path: `/rewards/${await c("reward", "/rewards/", reward(), "reward_id")}/` }),
  "put /rewards/{rewardId}/": async (c) => ({ path: `/rewards/${await c("reward", "/rewards/", reward(), "reward_id")}/`, body: { reward_points: 7 } }),
  "delete /rewards/{rewardId}/": async (c) => ({ path: `/rewards/${await c("reward", "/rewards/", reward(), "reward_id")}/` }),
  "get /user-rewards/": async () => ({ path: `/user-rewards/?tenant=${tenantA}` }),
  "get /user-rewards/{userId}/": async () => ({ path: `/user-rewards/u1/?tenant=${tenantA}` }),
  "get /user-rewards/{userId}/ledger": async () => ({ path: `/user-rewards/u1/ledger?tenant=${tenantA}` }),
  "post /user-rewards/{userId}/redemptions": async () => ({ path: "/user-rewards/u1/redemptions", body: { tenant: tenantA, points: 1, reason: "mug", idempotencyKey: uuid() } }),
  "post /webhooks": async () => ({ path: "/webhooks", body: webhook() }),
  "get /webhooks": async () => ({ path: `/webhooks?tenant=${tenantA}` }),
  "get /exports/ledger": async () => ({ path: `/exports/ledger?tenant=${tenantA}` }),
  "get /exports/balances": async () => ({ path: `/exports/balances?tenant=${tenantA}` }),
  "post /imports/opening-balances": async () => ({ path: `/imports/opening-balances?tenant=${tenantA}`, body: "userId,points\nu1,1\n", headers: { "content-type": "text/csv" } }),
  "post /imports/purchases": async () => ({
    path: `/imports/purchases?tenant=${tenantA}`,
    body: `${JSON.stringify({ eventId: uuid(), userId: "u1", occurredAt: "2026-01-01T00:00:00Z", product: "bread", amount: 1 })}\n`,
    headers: { "content-type": "application/x-ndjson" }
  }),
  // On both the reward and the fulfillment service: an id that is no import of tenant A's is not found.
  "get /imports/{id}": async () => ({ path: `/imports/${uuid()}?tenant=${tenantA}` }),
  "get /imports/{id}/refusals": async () => ({ path: `/imports/${uuid()}/refusals?tenant=${tenantA}` }),
  "get /webhooks/{webhookId}": async (c) => ({ path: await webhookPath(c) }),
  "put /webhooks/{webhookId}": async (c) => ({ path: await webhookPath(c), body: { url: "https://hooks.example.com/v2", events: ["redeemed"], enabled: true } }),
  "delete /webhooks/{webhookId}": async (c) => ({ path: await webhookPath(c) }),
  "post /webhooks/{webhookId}/secrets": async (c) => ({ path: `${await webhookPath(c)}/secrets` }),
  "delete /webhooks/{webhookId}/secrets/{secretId}": async (c) => ({ path: `${await webhookPath(c)}/secrets/${uuid()}` }),
  "get /webhooks/{webhookId}/deliveries": async (c) => ({ path: `${await webhookPath(c)}/deliveries` }),
  "post /webhooks/{webhookId}/deliveries/{deliveryId}/redeliver": async (c) => ({ path: `${await webhookPath(c)}/deliveries/1/redeliver` }),
  "post /user-rewards/{userId}/adjustments": async () => ({ path: "/user-rewards/u1/adjustments", body: { tenant: tenantA, points: 1, reason: "goodwill", idempotencyKey: uuid() } }),
  "post /members/{userId}/token": async () => ({ path: "/members/u1/token", body: { tenant: tenantA, ttlSeconds: 600 } }),
  "get /programs/{tenant}": async () => ({ path: `/programs/${tenantA}` }),
  "put /programs/{tenant}": async () => ({ path: `/programs/${tenantA}`, body: { pending_days: 0 } }),
  // fulfillment
  "post /buy-fulfillments/": async () => ({ path: "/buy-fulfillments/", body: buy() }),
  "get /buy-fulfillments/": async () => ({ path: `/buy-fulfillments/?tenant=${tenantA}` }),
  "get /buy-fulfillments/{fulfillmentId}/": async (c) => ({ path: `/buy-fulfillments/${await c("fulfillment", "/buy-fulfillments/", buy(), "fulfillment_id")}/` }),
  "put /buy-fulfillments/{fulfillmentId}/": async (c) => ({ path: `/buy-fulfillments/${await c("fulfillment", "/buy-fulfillments/", buy(), "fulfillment_id")}/`, body: { product: "cake", amount: 3 } }),
  "delete /buy-fulfillments/{fulfillmentId}/": async (c) => ({ path: `/buy-fulfillments/${await c("fulfillment", "/buy-fulfillments/", buy(), "fulfillment_id")}/` }),
  "post /tag-fulfillments/": async () => ({ path: "/tag-fulfillments/", body: tag() }),
  "get /tag-fulfillments/": async () => ({ path: `/tag-fulfillments/?tenant=${tenantA}` }),
  "get /tag-fulfillments/{fulfillmentId}/": async (c) => ({ path: `/tag-fulfillments/${await c("fulfillment", "/tag-fulfillments/", tag(), "fulfillment_id")}/` }),
  "put /tag-fulfillments/{fulfillmentId}/": async (c) => ({ path: `/tag-fulfillments/${await c("fulfillment", "/tag-fulfillments/", tag(), "fulfillment_id")}/`, body: { tag: "signup" } }),
  "delete /tag-fulfillments/{fulfillmentId}/": async (c) => ({ path: `/tag-fulfillments/${await c("fulfillment", "/tag-fulfillments/", tag(), "fulfillment_id")}/` }),
  "get /fulfillment-progress/{userId}": async () => ({ path: `/fulfillment-progress/u1?tenant=${tenantA}` }),
  "post /events/buy": async () => ({ path: "/events/buy", body: { tenant: tenantA, product: "bread", amount: 120, userId: "u1", eventId: uuid() } }),
  "post /events/activity": async () => ({ path: "/events/activity", body: { tenant: tenantA, userId: "u1", tag: "review", eventId: uuid() } }),
  "get /held-revocations": async () => ({ path: `/held-revocations?tenant=${tenantA}` }),
  "get /held-refunds": async () => ({ path: `/held-refunds?tenant=${tenantA}` }),
  "post /events/refund": async () => ({ path: "/events/refund", body: { tenant: tenantA, userId: "u1", orderId: uuid(), amount: 5, eventId: uuid() } }),
  // user
  "post /user": async () => ({ path: "/user", body: member() }),
  "get /user": async () => ({ path: `/user?tenant=${tenantA}` }),
  "get /user/{id}": async (c) => ({ path: `/user/${await c("user", "/user", member(), "id")}` }),
  "delete /user/{id}": async (c) => ({ path: `/user/${await c("user", "/user", member(), "id")}` }),
  "post /auth/login": async () => ({ path: "/auth/login", body: { username: "nobody", password: "wrong password here" } }),
  "post /auth/refresh": async () => ({ path: "/auth/refresh", body: { refreshToken: "not-a-token" } }),
  "post /auth/logout": async () => ({ path: "/auth/logout", body: { refreshToken: "not-a-token" } }),
  "get /.well-known/jwks.json": async () => ({ path: "/.well-known/jwks.json" }),
  "post /auth/introspect": async () => ({ path: "/auth/introspect", body: { apiKey: "lt_nope" } }),
  "get /auth/me": async () => ({ path: "/auth/me" }),
  "get /auth/revocations": async () => ({ path: "/auth/revocations?after=0" }),
  "post /tenants": async () => ({ path: "/tenants", body: { id: slug(), name: "new" } }),
  "get /tenants": async () => ({ path: "/tenants" }),
  "get /tenants/{id}": async () => ({ path: `/tenants/${tenantA}` }),
  "put /tenants/{id}": async () => ({ path: `/tenants/${tenantA}`, body: { name: "Tenant A" } }),
  "post /operators": async () => ({ path: "/operators", body: operator() }),
  "get /operators": async () => ({ path: `/operators?tenant=${tenantA}` }),
  "delete /operators/{id}": async (c) => ({ path: `/operators/${await c("user", "/operators", operator(), "id")}` }),
  "post /api-keys": async () => ({ path: "/api-keys", body: apiKey() }),
  "get /api-keys": async () => ({ path: `/api-keys?tenant=${tenantA}` }),
  "delete /api-keys/{id}": async (c) => ({ path: `/api-keys/${await c("user", "/api-keys", apiKey(), "id")}` }),
  // console
  "get /kafka/topics": async () => ({ path: "/kafka/topics" }),
  "get /kafka/topics/{topic}/messages": async () => ({ path: "/kafka/topics/buy/messages?limit=20" }),
  "get /kafka/dead-letters": async () => ({ path: "/kafka/dead-letters?limit=20" }),
  "post /kafka/dead-letters/resend": async () => ({ path: "/kafka/dead-letters/resend", body: { tenant: tenantA, topic: "buy.dlq", partition: 0, offset: "0" } }),
  "post /kafka/events/buy": async () => ({ path: "/kafka/events/buy", body: { tenant: tenantA, product: "bread", amount: 120, userId: "u1", eventId: uuid() } }),
  "post /kafka/events/activity": async () => ({ path: "/kafka/events/activity", body: { tenant: tenantA, userId: "u1", tag: "review", eventId: uuid() } }),
  "post /kafka/events/refund": async () => ({ path: "/kafka/events/refund", body: { tenant: tenantA, userId: "u1", orderId: "order-1", eventId: uuid() } }),
  "get /kafka/follow/{eventId}": async () => ({ path: `/kafka/follow/${uuid()}?for=1` })
}
