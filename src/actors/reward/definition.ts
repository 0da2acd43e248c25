import { Layer } from "effect"
import { PointsLifecycle } from "./lifecycle/service.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { ServiceDefinition } from "../service-definition.ts"
import { rewardRoutes } from "../../http/reward.ts"
import { exportRoutes } from "../../http/exports.ts"
import { openingImportRoutes } from "../../http/opening-imports.ts"
import { OpeningImports } from "./imports/service.ts"
import { webhookRoutes } from "../../http/webhooks.ts"
import { ExportUseCases } from "./exports/service.ts"
import { RewardActor } from "./actor.ts"
import { RewardUseCases } from "./service.ts"
import { WebhookActor } from "./webhooks/actor.ts"
import { WebhookUseCases } from "./webhooks/service.ts"

/** Rewards, balances, the ledger, redemptions and the points lifecycle; credits `reward` and reverses `reward-revoked` events; delivers webhooks; exports the ledger and balances; imports opening balances. */
export const rewardService: ServiceDefinition<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory> = {
  name: "reward",
  usesKafka: true,
  consumesEvents: true,
  useCases: Layer.mergeAll(RewardUseCases.layer, PointsLifecycle.layer, WebhookUseCases.layer, ExportUseCases.layer, OpeningImports.layer).pipe(Layer.provideMerge(TenantDirectory.layer("reward"))),
  routes: (run) => rewardRoutes(run).use(webhookRoutes(run)).use(exportRoutes(run)).use(openingImportRoutes(run)),
  actors: Layer.merge(RewardActor, WebhookActor)
}
