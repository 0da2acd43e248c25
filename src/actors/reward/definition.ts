import { Layer } from "effect"
import { PointsLifecycle } from "./lifecycle/service.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { ServiceDefinition } from "../service-definition.ts"
import { rewardRoutes } from "../../http/reward.ts"
import { RewardActor } from "./actor.ts"
import { RewardUseCases } from "./service.ts"

/** Rewards, balances, the ledger, redemptions and the points lifecycle; credits `reward` and reverses `reward-revoked` events. */
export const rewardService: ServiceDefinition<RewardUseCases | PointsLifecycle | TenantDirectory> = {
  name: "reward",
  usesKafka: true,
  consumesEvents: true,
  useCases: Layer.mergeAll(RewardUseCases.layer, PointsLifecycle.layer).pipe(Layer.provideMerge(TenantDirectory.layer("reward"))),
  routes: rewardRoutes,
  actors: RewardActor
}
