/** The Postgres schemas that hold a service's processed-event ids and outbox. */
export type ServiceSchema = "campaign" | "reward" | "fulfillment"
