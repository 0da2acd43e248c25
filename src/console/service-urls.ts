import { Option } from "effect"
import type { AppConfigShape } from "../config/app-config.ts"
import { peerUrl } from "../config/peer-urls.ts"
import type { ApiServiceName } from "../config/service-name.ts"

/** Where the console asks each service: the URL the configuration names, else this host on its port. */
export const serviceUrl = (config: AppConfigShape, service: ApiServiceName): string => {
  switch (service) {
    case "user":
      // In this process it is on its port here; elsewhere where the other services find it too.
      return config.services.includes("user") ? `http://127.0.0.1:${config.ports.user}/` : config.auth.userServiceUrl
    case "campaign":
    case "fulfillment":
      return peerUrl(config.peers, config.ports, service)
    case "reward":
      return Option.getOrElse(config.console.rewardServiceUrl, () => `http://127.0.0.1:${config.ports.reward}/`)
  }
}
