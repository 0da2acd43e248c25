/** The Postgres schemas of the services that consume events: their processed events, outbox and tenant copy. */
export type ServiceSchema = "campaign" | "reward" | "fulfillment"

/** Every schema with an outbox: the consumers', and the user service's (it publishes tenants). */
export type OutboxSchema = ServiceSchema | "users"
