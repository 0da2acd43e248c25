import { connect, createServer, type Socket } from "node:net"

export interface TcpProxy {
  readonly port: number
  /**
   * Wedges every connection open now: both directions stop and whatever is sent is swallowed,
   * while the sockets stay open, as with a hung server or a network that drops packets. New
   * connections are forwarded as usual, unless `newConnections` is true: then they are accepted
   * and wedged too, until `thaw()`. Returns how many open connections it wedged.
   */
  freeze(options?: { readonly newConnections?: boolean }): number
  /** New connections are forwarded again; the wedged ones stay wedged. */
  thaw(): void
  /** Wedged connections the client has since closed (it gave up on them). */
  closedWhileFrozen(): number
  close(): Promise<void>
}

interface Pair {
  readonly client: Socket
  readonly upstream: Socket
  frozen: boolean
}

/** A TCP proxy on 127.0.0.1 in front of `host:port`, for tests of connections that stop answering. */
export const startTcpProxy = async (target: { readonly host: string; readonly port: number }): Promise<TcpProxy> => {
  const pairs = new Set<Pair>()
  let closedWhileFrozen = 0
  let freezeNew = false
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    const pair: Pair = { client, upstream, frozen: freezeNew }
    pairs.add(pair)
    client.on("data", (chunk) => void (pair.frozen || upstream.write(chunk)))
    upstream.on("data", (chunk) => void (pair.frozen || client.write(chunk)))
    client.on("error", () => {})
    upstream.on("error", () => {})
    client.on("close", () => {
      if (pair.frozen) closedWhileFrozen++
      pairs.delete(pair)
      upstream.destroy()
    })
    upstream.on("close", () => {
      // A wedged connection stays open whatever the server does.
      if (!pair.frozen) client.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address ? address.port : 0
  return {
    port,
    freeze: (options = {}) => {
      freezeNew = options.newConnections ?? false
      let frozen = 0
      for (const pair of pairs) {
        if (!pair.frozen) frozen++
        pair.frozen = true
      }
      return frozen
    },
    thaw: () => void (freezeNew = false),
    closedWhileFrozen: () => closedWhileFrozen,
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
