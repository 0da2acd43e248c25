import { Layer } from "effect"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { ServiceDefinition } from "../service-definition.ts"
import { campaignRoutes } from "../../http/campaign.ts"
import { CampaignActor } from "./actor.ts"
import { CampaignBackfills } from "./backfill/service.ts"
import { CampaignUseCases } from "./service.ts"

/** Campaigns and users' progress through them; turns `fulfillment` events into `reward` events. */
export const campaignService: ServiceDefinition<CampaignUseCases | CampaignBackfills | TenantDirectory> = {
  name: "campaign",
  usesKafka: true,
  consumesEvents: true,
  useCases: Layer.merge(CampaignUseCases.layer, CampaignBackfills.layer).pipe(Layer.provideMerge(TenantDirectory.layer("campaign"))),
  routes: campaignRoutes,
  actors: CampaignActor
}
