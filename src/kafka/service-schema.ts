/** The Postgres schemas that hold a service's processed events and what they emitted. */
export type ServiceSchema = "campaign" | "reward" | "fulfillment"
