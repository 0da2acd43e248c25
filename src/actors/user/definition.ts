import { Layer } from "effect"
import { Elysia } from "elysia"
import { apiKeyRoutes } from "../../http/api-keys.ts"
import { authRoutes } from "../../http/auth.ts"
import { bearerResolver, type ResolvePrincipal } from "../../http/caller.ts"
import { operatorRoutes } from "../../http/operators.ts"
import type { Runner } from "../../http/run-effect.ts"
import { tenantRoutes } from "../../http/tenants.ts"
import { memberRoutes } from "../../http/user-members.ts"
import type { Platform, ServiceDefinition } from "../service-definition.ts"
import { userUseCases, type UserUseCases } from "./user-use-cases.ts"

/**
 * Members, tenants, operators, API keys and sessions on one port. The caller is resolved in
 * process (this service holds the keys); `resolvePrincipal` is the seam the shared access macro replaces.
 */
export const userRoutes = (run: Runner<UserUseCases>, resolvePrincipal: ResolvePrincipal = bearerResolver(run)) =>
  new Elysia({ name: "loyaltea-user-routes" })
    .use(memberRoutes(run))
    .use(authRoutes(run, resolvePrincipal))
    .use(tenantRoutes(run, resolvePrincipal))
    .use(operatorRoutes(run, resolvePrincipal))
    .use(apiKeyRoutes(run, resolvePrincipal))

export const userService: ServiceDefinition<UserUseCases, Platform> = {
  name: "user",
  usesKafka: false,
  useCases: userUseCases(),
  routes: (run) => userRoutes(run),
  actors: Layer.empty
}
