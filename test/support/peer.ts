import { Option } from "effect"
import type { AnyElysia } from "elysia"
import type { Peer } from "../../src/config/peer-urls.ts"
import { freePort } from "./ports.ts"

/**
 * A service's app served on a port of its own, for another service's use cases to ask over HTTP
 * as they would in production: reserve the port first (`peers` goes into the asking runtime's
 * configuration), then serve the app there once it is built.
 */
export const peerPort = async (peer: Peer) => {
  const port = await freePort()
  let server: ReturnType<typeof Bun.serve> | undefined
  return {
    peers: { campaign: Option.none<string>(), fulfillment: Option.none<string>(), [peer]: Option.some(`http://127.0.0.1:${port}/`) },
    serve: (app: AnyElysia) => void (server = Bun.serve({ port, hostname: "127.0.0.1", fetch: (request) => app.handle(request) })),
    stop: () => server?.stop(true)
  }
}

/**
 * A real peer service over the test's database, served on its own port: `peers` for the asking
 * runtime's configuration, `start` once the database is migrated, `stop` at the end.
 */
export const servedPeer = async (peer: Peer, databaseUrl: string, build: (url: string) => Promise<{ app: AnyElysia; dispose: () => Promise<void> }>) => {
  const port = await peerPort(peer)
  let built: { app: AnyElysia; dispose: () => Promise<void> } | undefined
  return {
    peers: port.peers,
    start: async () => {
      built = await build(databaseUrl)
      port.serve(built.app)
    },
    stop: async () => {
      port.stop()
      await built?.dispose()
    }
  }
}
