import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { ProgressAnswer } from "../actors/fulfillment/progress/model.ts"
import { FulfillmentUseCases } from "../actors/fulfillment/service.ts"
import { UserId, Uuid, WellFormedString, opaqueToJsonSchema } from "../domain/primitives.ts"
import { tenantToRead } from "../domain/tenant-guard.ts"
import { OccurredAt } from "../events/envelope.ts"
import { accessControl } from "./access.ts"
import { TenantQuery } from "./params.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const errors = { 400: errorResponse, 403: errorResponse, 422: errorResponse }
const isUuid = Schema.is(Uuid)

/** `a,b` or the parameter repeated: at most 100 fulfillment ids. */
const FulfillmentIds = Schema.Union([WellFormedString, Schema.Array(WellFormedString)]).annotate({
  description: "Only these fulfillments: ids comma-separated, or the parameter repeated (at most 100); absent: every cumulative fulfillment of the tenant",
  examples: ["7bed8bf6-995b-450d-8417-1c368709e1e3"]
}).check(Schema.makeFilter((value: string | ReadonlyArray<string>) => {
  const ids = idsOf(value)
  return ids.length > 100 ? "at most 100 fulfillment ids" : ids.every(isUuid) || "must be fulfillment ids (UUIDs), comma-separated"
}, opaqueToJsonSchema))

const isInstant = Schema.is(OccurredAt)
const At = Schema.String.annotate({
  description: "The instant to judge at (ISO-8601 with a zone); absent: now",
  format: "date-time",
  examples: ["2026-03-20T09:30:00Z"]
}).check(Schema.makeFilter((text: string) => isInstant(text) || "must be an ISO-8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z", opaqueToJsonSchema))

const idsOf = (value: string | ReadonlyArray<string>) => (typeof value === "string" ? [value] : value).flatMap((part) => part.split(","))

const ProgressQuery = input(Schema.Struct({
  ...TenantQuery,
  fulfillment_id: Schema.optionalKey(FulfillmentIds),
  at: Schema.optionalKey(At)
}), "query")

/** `GET /fulfillment-progress/{userId}`: how far a user is along the tenant's cumulative fulfillments. */
export const fulfillmentProgressRoutes = (run: Runner<FulfillmentUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-fulfillment-progress-routes" })
    .use(accessControl(run))
    .get("/fulfillment-progress/:userId", ({ params, query, scope, set }) =>
      run(set, tenantToRead(scope, query.tenant, "a user's progress is per tenant").pipe(Effect.flatMap((tenant) =>
        FulfillmentUseCases.use((u) => u.progress({
          tenant,
          userId: params.userId,
          fulfillmentIds: query.fulfillment_id === undefined ? undefined : idsOf(query.fulfillment_id),
          at: query.at === undefined ? undefined : Date.parse(query.at)
        }))))), {
      access: "member",
      params: input(Schema.Struct({ userId: UserId }), "params"),
      query: ProgressQuery,
      response: { 200: standard(ProgressAnswer), ...errors },
      detail: {
        tags: ["fulfillments"],
        summary: "How far a user is along each cumulative fulfillment (count, total, within or period) now, or at `at`",
        description: "For `within`, the events in the window ending then; for `period`, in the period then (the tenant's time zone); " +
          "otherwise every event not yet used by a completion. Fulfillments without a goal, and ids the tenant does not have, are not listed."
      }
    })
