import { Layer } from "effect"
import { memberRoutes } from "../../http/user-members.ts"
import type { Platform, ServiceDefinition } from "../service-definition.ts"
import { MemberUseCases } from "./member-service.ts"

/** Members now; tenants, operators, API keys and authentication build on it. */
export const userService: ServiceDefinition<MemberUseCases, Platform> = {
  name: "user",
  usesKafka: false,
  useCases: MemberUseCases.layer,
  routes: memberRoutes,
  actors: Layer.empty
}
