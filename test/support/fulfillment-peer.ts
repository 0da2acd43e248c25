import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { anonymousApp } from "./app.ts"
import { useCasesRuntime } from "./layers.ts"
import { servedPeer } from "./peer.ts"

/** The fulfillment service answering over HTTP (cumulative progress), for campaign-service tests. */
export const fulfillmentPeer = (databaseUrl: string) =>
  servedPeer("fulfillment", databaseUrl, async (url) => {
    const runtime = useCasesRuntime(url, fulfillmentService.useCases)
    return { app: await anonymousApp(runtime, "fulfillment", fulfillmentService.routes as never), dispose: () => runtime.dispose() }
  })
