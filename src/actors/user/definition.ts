import { Effect, Layer } from "effect"
import { Elysia } from "elysia"
import type { Authenticator } from "../../auth/authenticator.ts"
import { apiKeyRoutes } from "../../http/api-keys.ts"
import { authRoutes } from "../../http/auth.ts"
import { operatorRoutes } from "../../http/operators.ts"
import type { Runner } from "../../http/run-effect.ts"
import { memberTokenRoutes } from "../../http/member-tokens.ts"
import { tenantRoutes } from "../../http/tenants.ts"
import { memberRoutes } from "../../http/user-members.ts"
import { startOutboxRelay } from "../../kafka/outbox-relay.ts"
import type { ServiceDefinition } from "../service-definition.ts"
import { RevocationSync } from "./revocation-sync.ts"
import { SessionPruning } from "./session-pruning.ts"
import { userUseCases, type UserUseCases } from "./user-use-cases.ts"

/** Members, tenants, operators, API keys and sessions on one port. */
export const userRoutes = (run: Runner<UserUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-user-routes" })
    .use(memberRoutes(run))
    .use(memberTokenRoutes(run))
    .use(authRoutes(run))
    .use(tenantRoutes(run))
    .use(operatorRoutes(run))
    .use(apiKeyRoutes(run))

/** Tenant events a crash or a Kafka outage left in the outbox are published by its relay. */
const TenantOutboxRelay = Layer.effectDiscard(Effect.asVoid(startOutboxRelay("users")))

export const userService: ServiceDefinition<UserUseCases> = {
  name: "user",
  usesKafka: true,
  // It only publishes (tenants, through its outbox): a Kafka outage delays those, it stops nothing here.
  consumesEvents: false,
  useCases: userUseCases(),
  routes: userRoutes,
  actors: Layer.mergeAll(TenantOutboxRelay, SessionPruning, RevocationSync)
}
