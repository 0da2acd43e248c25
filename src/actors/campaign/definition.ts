import type { ServiceDefinition } from "../service-definition.ts"
import { campaignRoutes } from "../../http/campaign.ts"
import { CampaignActor } from "./actor.ts"
import { CampaignUseCases } from "./service.ts"

/** Campaigns and users' progress through them; turns `fulfillment` events into `reward` events. */
export const campaignService: ServiceDefinition<CampaignUseCases> = {
  name: "campaign",
  usesKafka: true,
  useCases: CampaignUseCases.layer,
  routes: campaignRoutes,
  actors: CampaignActor
}
