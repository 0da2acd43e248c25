import { Elysia } from "elysia"
import { Layer } from "effect"
import type { Platform, ServiceDefinition } from "../service-definition.ts"

export const userService: ServiceDefinition<never, Platform> = {
  name: "user",
  usesKafka: false,
  useCases: Layer.empty,
  routes: () => new Elysia(),
  actors: Layer.empty
}
