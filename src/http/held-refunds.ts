import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { HeldEvents } from "../domain/held-events.ts"
import { FulfillmentUseCases } from "../actors/fulfillment/service.ts"
import { narrow } from "../domain/tenant-scope.ts"
import { accessControl } from "./access.ts"
import { TenantQuery } from "./params.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 422: errorResponse }

/** `GET /held-refunds`: refunds that came before their purchase and wait for it, per tenant. */
export const heldRefundRoutes = (run: Runner<FulfillmentUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-held-refund-routes" })
    .use(accessControl(run))
    .get("/held-refunds", ({ query, scope, set }) => {
      const narrowed = narrow(scope, query.tenant)
      return run(set, narrowed === undefined ? Effect.succeed({ tenants: [] }) : FulfillmentUseCases.use((u) => u.heldRefunds(narrowed)))
    }, {
      access: "read",
      query: input(Schema.Struct(TenantQuery), "query"),
      response: { 200: standard(HeldEvents), ...errors },
      detail: {
        tags: ["events"],
        summary: "Refunds waiting for their purchase: how many per tenant, and since when",
        description: "A refund of an order no purchase has arrived for yet (the topics are read independently) is kept, never dropped, and " +
          "applied when the order's first purchase arrives. A count that stays up means purchases that never came: check the shop's `buy` producer."
      }
    })
