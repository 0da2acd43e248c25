import { Elysia } from "elysia"
import type { Layer } from "effect"
import type { AppConfig } from "./config/app-config.ts"
import type { ServiceName } from "./config/service-name.ts"
import type { Database } from "./db/database.ts"
import { type RoutesFactory, serviceServer } from "./http/service-server.ts"

/** What each service runs in a process: its HTTP app (and, once they exist, its actors). */
export type ServiceLayer = Layer.Layer<never, unknown, AppConfig | Database>

/** Each service's own routes (the shared ones come from the service app). */
export const serviceRoutes: Record<ServiceName, RoutesFactory<never>> = {
  campaign: () => new Elysia(),
  reward: () => new Elysia(),
  fulfillment: () => new Elysia(),
  user: () => new Elysia()
}

export const serviceLayers: Record<ServiceName, ServiceLayer> = {
  campaign: serviceServer("campaign", serviceRoutes.campaign),
  reward: serviceServer("reward", serviceRoutes.reward),
  fulfillment: serviceServer("fulfillment", serviceRoutes.fulfillment),
  user: serviceServer("user", serviceRoutes.user)
}
