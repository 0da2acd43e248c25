import type { Authenticator } from "../auth/authenticator.ts"
import { Schema } from "effect"
import { Elysia } from "elysia"
import { Backfill, BackfillInput } from "../actors/campaign/backfill/model.ts"
import { CampaignBackfills } from "../actors/campaign/backfill/service.ts"
import { Uuid } from "../domain/primitives.ts"
import { accessControl } from "./access.ts"
import { CursorQuery, ListPage, pageRequest } from "./list-page.ts"
import type { Runner } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const CampaignParams = input(Schema.Struct({ id: Uuid }), "params")
const JobParams = input(Schema.Struct({ id: Uuid, jobId: Uuid }), "params")
const ListQuery = input(Schema.Struct(CursorQuery(["time", "uuid"])), "query")

export const campaignBackfillRoutes = (run: Runner<CampaignBackfills | Authenticator>) =>
  new Elysia({ name: "loyaltea-campaign-backfill-routes" })
    .use(accessControl(run))
    .post("/campaign/:id/backfill", async ({ body, params, scope, set }) => {
      // 201 for a job started now, 200 for the one the campaign had already.
      const answer = await run(set, CampaignBackfills.use((b) => b.start(scope, params.id, body.from)), 201)
      if (!("job" in answer)) return answer
      if (!answer.created) set.status = 200
      return answer.job
    }, {
      access: "write",
      params: CampaignParams,
      body: input(BackfillInput),
      response: { 200: standard(Backfill), 201: standard(Backfill), 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse, 503: errorResponse },
      detail: {
        tags: ["campaigns"],
        summary: "Re-evaluate the campaign over the past `fulfillment` events since `from`, crediting what it would have granted; answers the job",
        description: "One job runs per campaign at a time: a request while one runs answers it and starts nothing; once it is done, a request starts a new one. " +
          "A job first reads the refunds (`fulfillment-revoked`) since `from`, then the `fulfillment` events from the first offset of each partition at or " +
          "after `from` to the log's end at the start: a purchase a refund took back is not credited, one partly refunded counts with what is left. " +
          "Events counted by the live consumer, or by an earlier job of the campaign, are not counted again."
      }
    })
    .get("/campaign/:id/backfill", ({ params, scope, set }) => run(set, CampaignBackfills.use((b) => b.get(scope, params.id))), {
      access: "read",
      params: CampaignParams,
      response: { 200: standard(Backfill), 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse },
      detail: { tags: ["campaigns"], summary: "The campaign's latest backfill: status, phase, offsets per partition, percent read and what it granted" }
    })
    .get("/campaign/:id/backfills", ({ params, query, scope, set }) => run(set, CampaignBackfills.use((b) => b.list(scope, params.id, pageRequest(query)))), {
      access: "read",
      params: CampaignParams,
      query: ListQuery,
      response: { 200: standard(ListPage(Backfill).annotate({ identifier: "BackfillList" })), 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse },
      detail: { tags: ["campaigns"], summary: "The campaign's backfills, newest first, a page at a time" }
    })
    .get("/campaign/:id/backfills/:jobId", ({ params, scope, set }) => run(set, CampaignBackfills.use((b) => b.one(scope, params.id, params.jobId))), {
      access: "read",
      params: JobParams,
      response: { 200: standard(Backfill), 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse },
      detail: { tags: ["campaigns"], summary: "One backfill of the campaign, by its id" }
    })
