import { Layer } from "effect"
import { fulfillmentRoutes } from "../../http/fulfillment.ts"
import { purchaseImportRoutes } from "../../http/purchase-imports.ts"
import { PurchaseImports } from "./imports/service.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { ServiceDefinition } from "../service-definition.ts"
import { FulfillmentActor } from "./actor.ts"
import { EventIngestion } from "./ingestion.ts"
import { FulfillmentUseCases } from "./service.ts"

/** Buy and tag fulfillments, users' progress, HTTP event ingestion, imports of historical purchases and dry runs; turns `buy` and `activity` into `fulfillment`. */
export const fulfillmentService: ServiceDefinition<FulfillmentUseCases | EventIngestion | PurchaseImports | TenantDirectory> = {
  name: "fulfillment",
  usesKafka: true,
  consumesEvents: true,
  useCases: Layer.mergeAll(FulfillmentUseCases.layer, PurchaseImports.layer.pipe(Layer.provideMerge(EventIngestion.layer))).pipe(Layer.provideMerge(TenantDirectory.layer("fulfillment"))),
  routes: (run) => fulfillmentRoutes(run).use(purchaseImportRoutes(run)),
  actors: FulfillmentActor
}
