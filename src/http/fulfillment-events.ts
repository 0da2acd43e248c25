import type { Authenticator } from "../auth/authenticator.ts"
import { Elysia } from "elysia"
import { EventIngestion } from "../actors/fulfillment/ingestion.ts"
import { Accepted, ActivityEvents, BuyEvents } from "../actors/fulfillment/model.ts"
import { accessControl } from "./access.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"


const listOf = <A>(body: A | ReadonlyArray<A>): ReadonlyArray<A> => (Array.isArray(body) ? body : [body as A])

const errors = { 400: errorResponse, 403: errorResponse, 422: errorResponse, 503: errorResponse }

/**
 * `POST /events/buy` and `POST /events/activity`: for shops without a Kafka client. The body is
 * what they would produce to the topic, one event or an array; 202 means Kafka has it.
 */
export const fulfillmentEventRoutes = (run: Runner<EventIngestion | Authenticator>) =>
  new Elysia({ name: "loyaltea-fulfillment-event-routes" })
    .use(accessControl(run))
    .post("/events/buy", ({ body, scope, set }) => run(set, EventIngestion.use((i) => i.publishBuys(scope, listOf(body))), 202), {
      access: "events",
      body: input(BuyEvents),
      response: { 202: standard(Accepted), ...errors },
      detail: {
        tags: ["events"],
        summary: "Publish purchases to topic `buy` (one event or up to 1000); events without `eventId` get one; nothing is sent if any is invalid"
      }
    })
    .post("/events/activity", ({ body, scope, set }) => run(set, EventIngestion.use((i) => i.publishActivities(scope, listOf(body))), 202), {
      access: "events",
      body: input(ActivityEvents),
      response: { 202: standard(Accepted), ...errors },
      detail: {
        tags: ["events"],
        summary: "Publish activities to topic `activity` (one event or up to 1000); events without `eventId` get one; nothing is sent if any is invalid"
      }
    })
