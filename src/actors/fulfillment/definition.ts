import { Elysia } from "elysia"
import { Layer } from "effect"
import type { ServiceDefinition } from "../service-definition.ts"

export const fulfillmentService: ServiceDefinition<never> = {
  name: "fulfillment",
  usesKafka: true,
  useCases: Layer.empty,
  routes: () => new Elysia(),
  actors: Layer.empty
}
