import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { TooManyRequests } from "../actors/user/login-throttle.ts"
import type { Authenticator } from "../auth/authenticator.ts"
import type { Principal } from "../auth/principal.ts"
import { Tenant, WellFormedString } from "../domain/primitives.ts"
import { ActivityEvent } from "../events/activity.ts"
import { BuyEvent } from "../events/buy.ts"
import { RefundEvent } from "../events/refund.ts"
import { Topics } from "../events/topics.ts"
import { accessControl } from "../http/access.ts"
import type { Runner } from "../http/run-effect.ts"
import { errorResponse, input, standard } from "../http/schema.ts"
import { browse, BrowseAnswer } from "./kafka/browse.ts"
import { ConsoleKafka } from "./kafka/console-kafka.ts"
import { DeadLetterList, newestDeadLetters, Resent, resendDeadLetter } from "./kafka/dead-letters.ts"
import { Produced, sendTestEvent } from "./kafka/send-event.ts"
import { topicOverview, TopicList } from "./kafka/topic-overview.ts"
import { canFollow, followEvent, maxFollows } from "./kafka/follow.ts"

const errors = { 403: errorResponse, 404: errorResponse, 422: errorResponse, 503: errorResponse }

const whole = (min: number, max: number, description: string) =>
  Schema.NumberFromString.check(
    Schema.isInt({ message: "must be a whole number" }),
    Schema.isBetween({ minimum: min, maximum: max }, { message: `must be between ${min} and ${max}` })
  ).annotate({ description })

const TopicName = WellFormedString.check(
  Schema.isPattern(/^[A-Za-z0-9._-]{1,249}$/, { message: "must be a Kafka topic name" })
).annotate({ description: "A topic name", examples: ["buy"] })
const Offset = WellFormedString.check(Schema.isPattern(/^\d{1,19}$/, { message: "must be an offset (a whole number)" }))
  .annotate({ description: "An offset in the partition", examples: ["0"] })

const TopicParams = input(Schema.Struct({ topic: TopicName }), "params")
const BrowseQuery = input(Schema.Struct({
  partition: Schema.optionalKey(whole(0, 100_000, "One partition; absent: every partition, newest first")),
  offset: Schema.optionalKey(Offset.annotate({ description: "From this offset on, oldest first (with `partition`); absent: the newest records" })),
  limit: Schema.optionalKey(whole(1, 200, "At most this many records (default 50)"))
}), "query")
const DeadLetterQuery = input(Schema.Struct({ limit: Schema.optionalKey(whole(1, 200, "At most this many dead letters (default 50)")) }), "query")
const ResendBody = input(Schema.Struct({
  tenant: Tenant.annotate({ description: "The dead letter's tenant (as the list shows it)" }),
  topic: TopicName.annotate({ description: "The dead-letter topic (`<topic>.dlq`)", examples: ["buy.dlq"] }),
  partition: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 100_000 })),
  offset: Offset
}))
const FollowParams = input(Schema.Struct({ eventId: WellFormedString.check(Schema.isMaxLength(300)).annotate({ description: "The event's id (a `Produced.eventId`)", examples: ["order-1001-line-1"] }) }), "params")
const FollowQuery = input(Schema.Struct({
  since: Schema.optionalKey(whole(0, 8_640_000_000_000, "Read the records written since then (ms since the epoch; default: a minute ago)")),
  for: Schema.optionalKey(whole(1, 600_000, "Stop following after this many ms (default and at most 10 minutes)"))
}), "query")

const who = (principal: Principal | undefined) =>
  principal === undefined ? "anonymous" : principal.kind === "operator" ? `operator ${principal.username}` : principal.kind === "api-key" ? `api key ${principal.keyId}` : `member ${principal.userId}`

const sendRoute = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(schema: S) =>
  ({ access: "events" as const, body: input(schema), response: { 201: standard(Produced), 401: errorResponse, ...errors } })

/** The console's own API: what it reads from and writes to Kafka as a client, for the signed-in operator. */
export const consoleRoutes = (run: Runner<ConsoleKafka | Authenticator>) =>
  new Elysia({ name: "loyaltea-console-routes" })
    .use(accessControl(run))
    .get("/kafka/topics", ({ set }) => run(set, Effect.map(topicOverview, (topics) => ({ topics }))), {
      access: "read",
      response: { 200: standard(TopicList), 401: errorResponse, ...errors },
      detail: { tags: ["kafka"], summary: "Every topic: its partitions' offsets and, per consumer group reading it, the lag" }
    })
    .get("/kafka/topics/:topic/messages", ({ params, query, scope, set }) =>
      run(set, browse(scope, { topic: params.topic, partition: query.partition, offset: query.offset === undefined ? undefined : BigInt(query.offset), limit: query.limit ?? 50 })), {
      access: "read",
      params: TopicParams,
      query: BrowseQuery,
      response: { 200: standard(BrowseAnswer), 401: errorResponse, ...errors },
      detail: {
        tags: ["kafka"],
        summary: "Records of a topic, by partition and offset (oldest first) or the newest first, with key, headers and value",
        description: "An operator of a tenant sees that tenant's records only (by the value's `tenant`, else the key's `tenant:` part); the others are counted in `hidden`."
      }
    })
    .get("/kafka/dead-letters", ({ query, scope, set }) =>
      run(set, Effect.map(newestDeadLetters(scope, query.limit ?? 50), (deadLetters) => ({ deadLetters }))), {
      access: "read",
      query: DeadLetterQuery,
      response: { 200: standard(DeadLetterList), 401: errorResponse, ...errors },
      detail: { tags: ["kafka"], summary: "The newest dead letters of every `*.dlq` topic: the reason, the original value and where it came from" }
    })
    .post("/kafka/dead-letters/resend", ({ body, principal, scope, set }) =>
      run(set, resendDeadLetter(scope, who(principal), body.tenant, body.topic, body.partition, BigInt(body.offset)), 201), {
      access: "write",
      body: ResendBody,
      response: { 201: standard(Resent), 401: errorResponse, ...errors },
      detail: {
        tags: ["kafka"],
        summary: "Send a dead letter's original record again to the topic it came from",
        description: "Once per call, with the original key and bytes and a `loyaltea-resent-from` header naming the dead letter; logged. Viewers are refused (403)."
      }
    })
    .post("/kafka/events/buy", ({ body, scope, set }) => run(set, sendTestEvent(scope, Topics.buy, body), 201), {
      ...sendRoute(BuyEvent),
      detail: { tags: ["kafka"], summary: "Produce a purchase to topic `buy`, as a shop's producer would (key `tenant:userId`)" }
    })
    .post("/kafka/events/activity", ({ body, scope, set }) => run(set, sendTestEvent(scope, Topics.activity, body), 201), {
      ...sendRoute(ActivityEvent),
      detail: { tags: ["kafka"], summary: "Produce an activity to topic `activity`" }
    })
    .post("/kafka/events/refund", ({ body, scope, set }) => run(set, sendTestEvent(scope, Topics.refund, body), 201), {
      ...sendRoute(RefundEvent),
      detail: { tags: ["kafka"], summary: "Produce a refund to topic `refund`" }
    })
    .get("/kafka/follow/:eventId", async ({ params, query, scope, set }) => {
      const kafka = await run(set, Effect.gen(function*() {
        if (!canFollow()) return yield* new TooManyRequests({ retryAfterSeconds: 5 })
        return yield* Effect.service(ConsoleKafka)
      }))
      if (set.status !== 200) return kafka as never
      return new Response(followEvent(kafka, scope, params.eventId, query.since ?? Date.now() - 60_000, query.for ?? 600_000), {
        headers: { "content-type": "text/event-stream", "cache-control": "no-store" }
      })
    }, {
      access: "read",
      params: FollowParams,
      query: FollowQuery,
      response: { 200: standard(Schema.String.annotate({ description: "`text/event-stream`: `following`, then one `hop` per record of the flow" })), 401: errorResponse, 429: errorResponse, ...errors },
      detail: {
        tags: ["kafka"],
        summary: "Follow one event across the topics as server-sent events, until the points land",
        description: "Each `hop` has the record (topic, partition, offset, time, key, headers, value), the id it goes by and its cause; the event itself, every event caused by one of the flow (`causeEventId`), the `reward-notify` of each `reward`, and their dead letters. " +
          `At most ${maxFollows} follows at once per console (429 past that).`
      }
    })
