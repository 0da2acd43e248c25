import { Layer } from "effect"
import { fulfillmentRoutes } from "../../http/fulfillment.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { ServiceDefinition } from "../service-definition.ts"
import { FulfillmentActor } from "./actor.ts"
import { EventIngestion } from "./ingestion.ts"
import { FulfillmentUseCases } from "./service.ts"

/** Buy and tag fulfillments, users' progress, HTTP event ingestion and dry runs; turns `buy` and `activity` into `fulfillment`. */
export const fulfillmentService: ServiceDefinition<FulfillmentUseCases | EventIngestion | TenantDirectory> = {
  name: "fulfillment",
  usesKafka: true,
  consumesEvents: true,
  useCases: Layer.mergeAll(FulfillmentUseCases.layer, EventIngestion.layer).pipe(Layer.provideMerge(TenantDirectory.layer("fulfillment"))),
  routes: fulfillmentRoutes,
  actors: FulfillmentActor
}
