import { Config, Option } from "effect"
import type { ServiceName } from "./service-name.ts"

/** Services one service asks over HTTP, for answers that span them (dry runs, why-not). */
export type Peer = Extract<ServiceName, "campaign" | "fulfillment">

export interface PeerUrls {
  /** `LOYALTEA_CAMPAIGN_SERVICE_URL`: where the fulfillment service asks what completions would do. */
  readonly campaign: Option.Option<string>
  /** `LOYALTEA_FULFILLMENT_SERVICE_URL`: where the campaign service asks how far cumulative goals are. */
  readonly fulfillment: Option.Option<string>
}

export const peerUrlsConfig: Config.Config<PeerUrls> = Config.all({
  campaign: Config.option(Config.URL("LOYALTEA_CAMPAIGN_SERVICE_URL").pipe(Config.map((url) => url.toString()))),
  fulfillment: Config.option(Config.URL("LOYALTEA_FULFILLMENT_SERVICE_URL").pipe(Config.map((url) => url.toString())))
})

/** The peer's URL: the configured one, else this host on the peer's port (one process, or the defaults). */
export const peerUrl = (peers: PeerUrls, ports: Readonly<Record<ServiceName, number>>, peer: Peer) =>
  Option.getOrElse(peers[peer], () => `http://127.0.0.1:${ports[peer]}/`)
