import { Layer } from "effect"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { ServiceDefinition } from "../service-definition.ts"
import { rewardRoutes } from "../../http/reward.ts"
import { RewardActor } from "./actor.ts"
import { RewardUseCases } from "./service.ts"

/** Rewards, balances, the ledger and redemptions; credits `reward` events. */
export const rewardService: ServiceDefinition<RewardUseCases | TenantDirectory> = {
  name: "reward",
  usesKafka: true,
  consumesEvents: true,
  useCases: RewardUseCases.layer.pipe(Layer.provideMerge(TenantDirectory.layer("reward"))),
  routes: rewardRoutes,
  actors: RewardActor
}
