import { Schema } from "effect"
import { Label, opaqueToJsonSchema, Tenant, WellFormedString } from "../../../domain/primitives.ts"
import { MovementKind } from "../../../events/reward.ts"

/** What an endpoint can subscribe to: every movement of a balance, and a campaign completed for a member. */
export const WebhookEventType = Schema.Literals([...MovementKind.literals, "campaign-completed"]).annotate({
  description: "A balance movement (`credited`, `reversed`, `redeemed`, `expired`, `adjusted`, `activated`, `tier-changed`, `opened`: an imported opening balance) or `campaign-completed`"
})
export type WebhookEventType = typeof WebhookEventType.Type

const isWebUrl = (text: string) => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return "must be an absolute URL"
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http or https URL"
  if (url.username !== "" || url.password !== "") return "must not carry a user name or password"
  if (url.hash !== "") return "must not have a fragment"
  return true
}

export const WebhookUrl = WellFormedString.check(
  Schema.isMaxLength(2000, { message: "must be at most 2000 characters" }),
  Schema.makeFilter(isWebUrl, opaqueToJsonSchema)
).annotate({ description: "Where the events are POSTed (http or https; private, loopback and link-local hosts are refused)", examples: ["https://shop.example.com/hooks/loyaltea"] })

const EventTypes = Schema.Array(WebhookEventType).check(
  Schema.isMinLength(1, { message: "must list at least one event type" }),
  Schema.isMaxLength(8, { message: "must list at most 8 event types" }),
  Schema.makeFilter((types: ReadonlyArray<string>) => new Set(types).size === types.length || "must not repeat an event type", opaqueToJsonSchema)
)

const example = {
  url: "https://shop.example.com/hooks/loyaltea",
  events: ["credited", "redeemed", "campaign-completed"] as Array<WebhookEventType>,
  description: "notify the shop's CRM"
}

export const WebhookInput = Schema.Struct({
  tenant: Tenant,
  url: WebhookUrl,
  events: EventTypes,
  description: Schema.optionalKey(Label(200)),
  enabled: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "WebhookInput", examples: [{ tenant: "meiwei" as Tenant, ...example }] })
export type WebhookInput = typeof WebhookInput.Type

/** Replaces an endpoint's settings; `enabled: true` also clears a disabling after sustained failure. */
export const WebhookUpdate = Schema.Struct({
  url: WebhookUrl,
  events: EventTypes,
  description: Schema.optionalKey(Schema.NullOr(Label(200))),
  enabled: Schema.Boolean
}).annotate({ identifier: "WebhookUpdate", examples: [{ ...example, enabled: true }] })
export type WebhookUpdate = typeof WebhookUpdate.Type

const secretExample = { id: "5f0c8a8e-3c1e-4d7b-9a65-0a9f3c2b1d10", createdAt: "2026-03-01T09:30:00.000Z" }

/** A signing secret as listed: never its value, which is shown once, when it is made. */
export const WebhookSecretInfo = Schema.Struct({
  id: Schema.String,
  createdAt: Schema.String
}).annotate({ identifier: "WebhookSecretInfo" })

export const WebhookSecret = Schema.Struct({
  id: Schema.String,
  secret: Schema.String.annotate({ description: "Shown only in this answer: keep it where the receiver verifies signatures" }),
  createdAt: Schema.String
}).annotate({ identifier: "WebhookSecret", examples: [{ ...secretExample, secret: "whsec_3q2-7w0b1a9v8c7x6z5y4u3t2s1r0p9o8n7m6l5k4j3" }] })
export type WebhookSecret = typeof WebhookSecret.Type

const webhookExample = {
  tenant: "meiwei",
  id: "9b2f4c1e-7d3a-4e8b-b1c2-3d4e5f6a7b8c",
  ...example,
  enabled: true,
  disabledReason: null,
  failingSince: null,
  consecutiveFailures: 0,
  secrets: [secretExample],
  createdAt: "2026-03-01T09:30:00.000Z",
  updatedAt: "2026-03-01T09:30:00.000Z"
}

export const Webhook = Schema.Struct({
  tenant: Schema.String,
  id: Schema.String,
  url: Schema.String,
  events: Schema.Array(Schema.String),
  description: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  /** Why Loyaltea disabled it (sustained failure); null when enabled or disabled by an operator. */
  disabledReason: Schema.NullOr(Schema.String),
  failingSince: Schema.NullOr(Schema.String),
  consecutiveFailures: Schema.Number,
  secrets: Schema.Array(WebhookSecretInfo),
  createdAt: Schema.String,
  updatedAt: Schema.String
}).annotate({ identifier: "Webhook", examples: [webhookExample] })
export type Webhook = typeof Webhook.Type

/** A new endpoint, with its first signing secret (shown only here). */
export const CreatedWebhook = Schema.Struct({
  ...Webhook.fields,
  secret: Schema.String
}).annotate({ identifier: "CreatedWebhook", examples: [{ ...webhookExample, secret: "whsec_3q2-7w0b1a9v8c7x6z5y4u3t2s1r0p9o8n7m6l5k4j3" }] })
export type CreatedWebhook = typeof CreatedWebhook.Type

export const DeliveryStatus = Schema.Literals(["pending", "delivered", "failed"])

export const DeliveryAttempt = Schema.Struct({
  attempt: Schema.Number,
  at: Schema.String,
  /** The receiver's HTTP status; null when no answer came (timeout, refused target, connection error). */
  status: Schema.NullOr(Schema.Number),
  error: Schema.NullOr(Schema.String),
  latencyMs: Schema.Number,
  /** The start of the receiver's answer (at most 1 KiB). */
  responseExcerpt: Schema.NullOr(Schema.String)
}).annotate({ identifier: "WebhookDeliveryAttempt" })
export type DeliveryAttempt = typeof DeliveryAttempt.Type

const attemptExample = { attempt: 1, at: "2026-03-01T09:30:01.120Z", status: 200, error: null, latencyMs: 84, responseExcerpt: "ok" }

export const Delivery = Schema.Struct({
  id: Schema.String,
  webhookId: Schema.String,
  eventId: Schema.String,
  eventType: Schema.String,
  userId: Schema.String,
  status: DeliveryStatus,
  attempts: Schema.Number,
  nextAttemptAt: Schema.NullOr(Schema.String),
  retryUntil: Schema.NullOr(Schema.String),
  createdAt: Schema.String,
  payload: Schema.Unknown.annotate({ description: "The body POSTed to the endpoint" }),
  log: Schema.Array(DeliveryAttempt)
}).annotate({
  identifier: "WebhookDelivery",
  examples: [{
    id: "42",
    webhookId: webhookExample.id,
    eventId: "3f1e0c5a-8b7d-5e2f-9c4b-1a2d3e4f5a6b",
    eventType: "credited",
    userId: "u-1001",
    status: "delivered",
    attempts: 1,
    nextAttemptAt: null,
    retryUntil: "2026-03-02T09:30:01.036Z",
    createdAt: "2026-03-01T09:30:01.002Z",
    payload: { id: "3f1e0c5a-8b7d-5e2f-9c4b-1a2d3e4f5a6b", type: "credited", tenant: "meiwei", data: { userId: "u-1001", points: 10, balance: 110 } },
    log: [attemptExample]
  }]
})
export type Delivery = typeof Delivery.Type

/** A redelivery was asked for while the delivery is still on its way. */
export class DeliveryPending extends Schema.TaggedError<DeliveryPending>()("Conflict", {
  deliveryId: Schema.String
}) {
  override get message() {
    return `delivery ${this.deliveryId} is still pending: it is retried on its own`
  }
}

/** An endpoint keeps at least one signing secret. */
export class LastSecret extends Schema.TaggedError<LastSecret>()("Conflict", {
  secretId: Schema.String
}) {
  override get message() {
    return `secret ${this.secretId} is the endpoint's only one: add a new one first`
  }
}
