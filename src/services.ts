import { Layer } from "effect"
import { campaignService } from "./actors/campaign/definition.ts"
import { fulfillmentService } from "./actors/fulfillment/definition.ts"
import { rewardService } from "./actors/reward/definition.ts"
import type { KafkaPlatform, RunnableService, ServiceDefinition } from "./actors/service-definition.ts"
import { userService } from "./actors/user/definition.ts"
import { consoleService } from "./console/definition.ts"
import type { ServiceName } from "./config/service-name.ts"
import { serviceServer } from "./http/service-server.ts"

/** A service in a process: its HTTP server and its actors, over its use cases. */
const runnable = <R, P extends KafkaPlatform>(definition: ServiceDefinition<R, P>): RunnableService => ({
  name: definition.name,
  usesKafka: definition.usesKafka,
  layer: Layer.mergeAll(serviceServer(definition.name, definition.routes, { usesKafka: definition.consumesEvents }), definition.actors).pipe(Layer.provide(definition.useCases))
})

export const services: Record<ServiceName, RunnableService> = {
  campaign: runnable(campaignService),
  reward: runnable(rewardService),
  fulfillment: runnable(fulfillmentService),
  user: runnable(userService),
  console: consoleService
}

export type ServiceLayer = RunnableService["layer"]
