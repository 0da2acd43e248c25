import type { Authenticator } from "../auth/authenticator.ts"
import { Schema } from "effect"
import { Elysia } from "elysia"
import { DryRunAnswer } from "../actors/fulfillment/dry-run/model.ts"
import { EventIngestion } from "../actors/fulfillment/ingestion.ts"
import { Accepted, ActivityEvents, BuyEvents, maxEventsPerRequest, RefundEvents } from "../actors/fulfillment/model.ts"
import { IngressEventId } from "../events/envelope.ts"
import { accessControl } from "./access.ts"
import { forwardedCredential } from "./peer-client.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 422: errorResponse, 503: errorResponse }

const IdempotencyHeaders = standard(Schema.Struct({
  "idempotency-key": Schema.optionalKey(IngressEventId.annotate({
    description: "Makes a retried request change nothing: the id of its one event, or `<key>/<index>` of each event of an array"
  }))
}))

const DryRunQuery = input(Schema.Struct({
  dryRun: Schema.optionalKey(Schema.Literals(["true", "false"]).annotate({
    description: "`true`: store, publish and record nothing; answer 200 with what the events would do to each fulfillment of the tenant",
    examples: ["true"]
  }))
}), "query")

const dryRunText =
  " With `?dryRun=true` nothing is stored, published or recorded and no id is needed: the answer (200) judges each event, " +
  "in the request's order and against the user's stored progress, for every fulfillment of its tenant (`matched`, else the `reason`), " +
  "lists the fulfillment completions it would cause, and, asked of the campaign service with the caller's credential, what they would do " +
  "to the user's campaigns (advance, complete, blocked and why) with the points each reward would credit."

const idempotency = (orderId: string) =>
  `Each event is identified, in this order, by its \`eventId\`, by the request's \`Idempotency-Key\` header (\`<key>/<index>\` for each event of an array)${orderId}; ` +
  "the consumers apply an id once per tenant, so a retry after a timeout is never credited twice. " +
  "A request where some event has none of these is refused with 422 naming the field, unless the tenant accepts events without ids " +
  "(`allowEventsWithoutId`, then each gets a random id). Ids starting with `loyaltea:` are reserved. " +
  `One event or an array of at most ${maxEventsPerRequest}; nothing is sent if any is invalid, names another tenant (403) or a tenant that does not exist (422). ` +
  "202 means Kafka has them; 503 means it was out of reach: retry with the same ids."

/**
 * `POST /events/buy` and `POST /events/activity`: for shops without a Kafka client. The body is
 * what they would produce to the topic, one event or an array.
 */
export const fulfillmentEventRoutes = (run: Runner<EventIngestion | Authenticator>) =>
  new Elysia({ name: "loyaltea-fulfillment-event-routes" })
    .use(accessControl(run))
    .post("/events/buy", ({ body, headers, query, request, scope, set }) =>
      query.dryRun === "true"
        ? run(set, EventIngestion.use((i) => i.dryRunBuys(scope, body, forwardedCredential(request))), 200)
        : run(set, EventIngestion.use((i) => i.publishBuys(scope, body, headers["idempotency-key"])), 202), {
      access: "events",
      body: input(BuyEvents),
      headers: IdempotencyHeaders,
      query: DryRunQuery,
      response: { 200: standard(DryRunAnswer), 202: standard(Accepted), ...errors },
      detail: {
        tags: ["events"],
        summary: "Publish purchases to topic `buy` (or, with `?dryRun=true`, see what they would do)",
        description: idempotency(", then by its `orderId` (a purchase is one order)") + dryRunText
      }
    })
    .post("/events/activity", ({ body, headers, query, request, scope, set }) =>
      query.dryRun === "true"
        ? run(set, EventIngestion.use((i) => i.dryRunActivities(scope, body, forwardedCredential(request))), 200)
        : run(set, EventIngestion.use((i) => i.publishActivities(scope, body, headers["idempotency-key"])), 202), {
      access: "events",
      body: input(ActivityEvents),
      headers: IdempotencyHeaders,
      query: DryRunQuery,
      response: { 200: standard(DryRunAnswer), 202: standard(Accepted), ...errors },
      detail: {
        tags: ["events"],
        summary: "Publish activities to topic `activity` (or, with `?dryRun=true`, see what they would do)",
        description: idempotency("") + dryRunText
      }
    })
    .post("/events/refund", ({ body, headers, scope, set }) =>
      run(set, EventIngestion.use((i) => i.publishRefunds(scope, body, headers["idempotency-key"])), 202), {
      access: "events",
      body: input(RefundEvents),
      headers: IdempotencyHeaders,
      response: { 202: standard(Accepted), ...errors },
      detail: {
        tags: ["events"],
        summary: "Publish refunds and returns to topic `refund`: what a refund takes back of an order is taken back through the whole pipeline",
        description: idempotency(", then, for a refund of the whole order (no `amount`), by its `orderId`") +
          " A partial refund needs an `eventId` or an `Idempotency-Key`: partial refunds of one order add up, so its order id cannot tell a retry from a second refund. " +
          "`orderId` names the purchase: its `orderId`, else its `eventId`; `amount` absent refunds all that is left of it. " +
          "A refund of more than is left of an order already bought, or of another user's order, is refused with 422 naming the field; " +
          "a refund of an order not bought yet is accepted and waits for the purchase (judged then, on what is left of it). " +
          "The fulfillments the purchase completed are judged again on what is left: those that no longer hold are revoked " +
          "(`fulfillment-revoked`), and the campaigns take the round out, or the rewards it granted back (`reward-revoked`)."
      }
    })
