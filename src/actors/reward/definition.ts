import { Elysia } from "elysia"
import { Layer } from "effect"
import type { ServiceDefinition } from "../service-definition.ts"

export const rewardService: ServiceDefinition<never> = {
  name: "reward",
  usesKafka: true,
  useCases: Layer.empty,
  routes: () => new Elysia(),
  actors: Layer.empty
}
