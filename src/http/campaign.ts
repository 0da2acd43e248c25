import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { Evaluation, EvaluationInput } from "../actors/campaign/evaluation/model.ts"
import { Campaign, CampaignInput, CampaignList, CampaignPatch, CampaignProgress, CampaignUpdate } from "../actors/campaign/model.ts"
import { CampaignUseCases } from "../actors/campaign/service.ts"
import type { CampaignBackfills } from "../actors/campaign/backfill/service.ts"
import { campaignBackfillRoutes } from "./campaign-backfill.ts"
import { HeldEvents } from "../domain/held-events.ts"
import { UserId, Uuid } from "../domain/primitives.ts"
import { PageQuery, pageOf, TenantQuery } from "./params.ts"
import { accessControl } from "./access.ts"
import { forwardedCredential } from "./peer-client.ts"
import { narrow } from "../domain/tenant-scope.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"


const CampaignParams = input(Schema.Struct({ id: Uuid }), "params")
const ProgressParams = input(Schema.Struct({ id: Uuid, userId: UserId }), "params")
const errors = { 400: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse }

export const campaignRoutes = (run: Runner<CampaignUseCases | CampaignBackfills | Authenticator>) =>
  new Elysia({ name: "loyaltea-campaign-routes" })
    .use(accessControl(run))
    .use(campaignBackfillRoutes(run))
    .post("/campaign", ({ body, scope, set }) => run(set, CampaignUseCases.use((u) => u.createCampaign(scope, body)), 201), {
      access: "write",
      body: input(CampaignInput),
      response: { 201: standard(Campaign), ...errors },
      detail: { tags: ["campaigns"], summary: "Create a campaign: a set of fulfillments plus a set of rewards (ids are checked for form only)" }
    })
    .get("/campaign", ({ query, scope, set }) => {
      // Nothing is visible through a `?tenant=` outside the caller's scope.
      const narrowed = narrow(scope, query.tenant)
      return run(set, narrowed ? CampaignUseCases.use((u) => u.listCampaigns(narrowed, pageOf(query))) : Effect.succeed({ campaigns: [] }))
    }, {
      access: "read",
      query: input(Schema.Struct({ ...TenantQuery, ...PageQuery }), "query"),
      response: { 200: standard(CampaignList), ...errors },
      detail: { tags: ["campaigns"], summary: "List campaigns, optionally of one tenant" }
    })
    .get("/held-revocations", ({ query, scope, set }) => {
      const narrowed = narrow(scope, query.tenant)
      return run(set, narrowed ? CampaignUseCases.use((u) => u.heldRevocations(narrowed)) : Effect.succeed({ tenants: [] }))
    }, {
      access: "read",
      query: input(Schema.Struct(TenantQuery), "query"),
      response: { 200: standard(HeldEvents), ...errors },
      detail: {
        tags: ["campaigns"],
        summary: "Fulfillment revocations waiting for their fulfillment event: how many per tenant, and since when",
        description: "A `fulfillment-revoked` event that arrives before the `fulfillment` event it takes back (the topics are read independently) " +
          "is kept and applied as that event is judged. A count that stays up means fulfillment events this service never received."
      }
    })
    .get("/campaign/:id", ({ params, scope, set }) => run(set, CampaignUseCases.use((u) => u.getCampaign(scope, params.id))), {
      access: "read",
      params: CampaignParams,
      response: { 200: standard(Campaign), ...errors },
      detail: { tags: ["campaigns"], summary: "Get a campaign" }
    })
    .put("/campaign/:id", ({ body, params, scope, set }) => run(set, CampaignUseCases.use((u) => u.updateCampaign(scope, params.id, body))), {
      access: "write",
      params: CampaignParams,
      body: input(CampaignUpdate),
      response: { 200: standard(Campaign), ...errors },
      detail: {
        tags: ["campaigns"],
        summary: "Replace a campaign (its tenant cannot change); what the body leaves out takes its default: active, no window, no limits"
      }
    })
    .patch("/campaign/:id", ({ body, params, scope, set }) => run(set, CampaignUseCases.use((u) => u.patchCampaign(scope, params.id, body))), {
      access: "write",
      params: CampaignParams,
      body: input(CampaignPatch),
      response: { 200: standard(Campaign), ...errors },
      detail: {
        tags: ["campaigns"],
        summary: "Change only the fields given, e.g. `{\"status\": \"paused\"}`; every process applies it from its next batch"
      }
    })
    .delete("/campaign/:id", ({ params, scope, set }) => run(set, CampaignUseCases.use((u) => u.deleteCampaign(scope, params.id)), 204), {
      access: "write",
      params: CampaignParams,
      response: { 204: standard(Schema.Undefined), ...errors },
      detail: { tags: ["campaigns"], summary: "Delete a campaign and every user's progress in it" }
    })
    .get("/campaign/:id/progress/:userId", ({ params, request, scope, set }) =>
      run(set, CampaignUseCases.use((u) => u.progress(scope, params.id, params.userId, forwardedCredential(request)))), {
      access: "member",
      params: ProgressParams,
      response: { 200: standard(CampaignProgress), ...errors },
      detail: {
        tags: ["campaigns"],
        summary: "A user's progress in a campaign: the fulfillments done, those missing, rounds completed, and what holds the user back now"
      }
    })
    .post("/campaign/evaluate", ({ body, scope, set }) => run(set, CampaignUseCases.use((u) => u.evaluate(scope, body))), {
      access: "events",
      body: input(EvaluationInput),
      response: { 200: standard(Evaluation), ...errors },
      detail: {
        tags: ["campaigns"],
        summary: "What completing these fulfillments would do to a user now, in every campaign of the tenant holding one of them; stores and emits nothing"
      }
    })
