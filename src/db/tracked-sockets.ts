import { connect, type Socket } from "node:net"

/** What postgres.js hands its `socket` option: where the server is (parsed from the URL). */
export interface SocketTarget {
  readonly path?: string | false
  readonly host: ReadonlyArray<string>
  readonly port: ReadonlyArray<number>
}

interface Watched {
  readonly socket: Socket
  lastWriteAt: number
  lastReadAt: number
}

/**
 * The sockets of one postgres.js client, opened by us (its `socket` option) so that a connection
 * that stopped answering can be destroyed. postgres.js notices a socket that closes: it fails the
 * calls waiting on it and opens a new connection for the next one. It does not notice a socket
 * that stays open and silent (a server that hangs, a network that drops packets without a reset),
 * and keepalive does not either while the peer's TCP stack still acknowledges.
 *
 * Over TLS postgres.js moves the socket under a TLS socket of its own and drops our listeners, so
 * such a connection is not watched here; the call bound (see `exec`) still fails its calls.
 */
export interface TrackedSockets {
  /** postgres.js's `socket` option. */
  readonly open: (target: SocketTarget) => Socket
  /**
   * Destroys every socket that was written to and has received nothing since, for at least `ms`:
   * a request without an answer. Returns how many it destroyed.
   */
  readonly destroyOwing: (ms: number) => number
  /** Destroys every socket: used when a connection's state is unknown and it must not be reused. */
  readonly destroyAll: (reason: string) => void
  readonly size: () => number
}

const failure = (message: string) => Object.assign(new Error(message), { code: "CONNECTION_DESTROYED" })

export const trackedSockets = (now: () => number = () => performance.now()): TrackedSockets => {
  const live = new Set<Watched>()
  let next = 0
  return {
    open: (target) => {
      const index = next++ % Math.max(1, target.host.length)
      const host = target.host[index] ?? "localhost"
      const port = target.port[index] ?? 5432
      const socket = target.path ? connect(target.path) : connect(port, host)
      // postgres.js names the server in its connection errors from these two fields.
      Object.assign(socket, { host, port })
      const watched: Watched = { socket, lastWriteAt: 0, lastReadAt: 0 }
      live.add(watched)
      const write = socket.write.bind(socket) as (...args: Array<unknown>) => boolean
      socket.write = ((...args: Array<unknown>) => {
        watched.lastWriteAt = now()
        return write(...args)
      }) as typeof socket.write
      socket.on("data", () => void (watched.lastReadAt = now()))
      socket.once("close", () => void live.delete(watched))
      return socket
    },
    destroyOwing: (ms) => {
      const at = now()
      let destroyed = 0
      for (const watched of live) {
        if (watched.socket.destroyed) {
          live.delete(watched)
        } else if (watched.lastWriteAt > watched.lastReadAt && at - watched.lastWriteAt >= ms) {
          live.delete(watched)
          watched.socket.destroy(failure(`no answer from the database for ${Math.round(at - watched.lastWriteAt)} ms; connection closed`))
          destroyed++
        }
      }
      return destroyed
    },
    destroyAll: (reason) => {
      for (const watched of live) watched.socket.destroy(failure(reason))
      live.clear()
    },
    size: () => live.size
  }
}
