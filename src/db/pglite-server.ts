import { createServer, type Server, type Socket } from "node:net"
import type { PGlite } from "@electric-sql/pglite"

const sslRequestCode = 80877103
const cancelRequestCode = 80877102
const protocolVersion3 = 196608
const readyForQuery = 0x5a // 'Z'
const idle = 0x49 // 'I': no transaction open
const terminate = 0x58 // 'X'

/** The length of the first whole frame in `buffer` (0 when it is not whole yet). */
const frameLength = (buffer: Buffer, started: boolean) => {
  if (!started) return buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0) ? buffer.readInt32BE(0) : 0
  return buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1) ? 1 + buffer.readInt32BE(1) : 0
}

// The answer ends with ReadyForQuery saying no transaction is open: the session is free for others.
const endsIdle = (answer: Uint8Array) =>
  answer.length >= 6 && answer[answer.length - 6] === readyForQuery && answer[answer.length - 1] === idle

/**
 * PGlite (one PostgreSQL backend, one query at a time) served on a Unix socket to any number of
 * connections, each kept apart from the others by owning the backend from its first message to
 * the ReadyForQuery that says it has no transaction open: a transaction, or a
 * Parse/Bind/Execute/Sync sequence, never interleaves with another connection's. (PGlite's own
 * socket server switches between connections at every message outside a transaction, so two
 * connections' extended-protocol sequences cut into each other.) Named prepared statements live
 * in the one backend, so connections must name theirs apart (postgres.js does: a random prefix
 * per connection); those of a connection that closed stay until the backend does.
 */
export const servePGlite = async (db: PGlite, path: string) => {
  let owner: Socket | null = null
  const waiting: Array<{ readonly socket: Socket; readonly go: () => void }> = []
  const release = () => {
    owner = null
    const next = waiting.shift()
    if (next) {
      owner = next.socket
      next.go()
    }
  }
  const acquire = (socket: Socket) =>
    owner === null || owner === socket
      ? ((owner = socket), Promise.resolve())
      : new Promise<void>((go) => waiting.push({ socket, go }))
  const sockets = new Set<Socket>()

  // A connection gone while it owned the backend leaves no transaction open for the next one.
  const abandon = async (socket: Socket) => {
    sockets.delete(socket)
    const index = waiting.findIndex((w) => w.socket === socket)
    if (index >= 0) waiting.splice(index, 1)
    if (owner !== socket) return
    if (db.isInTransaction()) await db.exec("rollback").catch(() => undefined)
    release()
  }

  const serve = (socket: Socket) => {
    sockets.add(socket)
    let buffer: Buffer = Buffer.alloc(0)
    let started = false
    let busy = false
    let closed = false
    const drain = async () => {
      if (busy) return
      busy = true
      try {
        for (let length = frameLength(buffer, started); length > 0 && !closed; length = frameLength(buffer, started)) {
          const frame = buffer.subarray(0, length)
          buffer = buffer.subarray(length)
          if (!started) {
            const code = frame.readInt32BE(4)
            // No TLS on a local socket; a cancel request has nothing to cancel here.
            if (code === sslRequestCode) {
              socket.write("N")
              continue
            }
            if (code === cancelRequestCode) {
              socket.end()
              return
            }
            if (code === protocolVersion3) started = true
          } else if (frame[0] === terminate) {
            socket.end()
            return
          }
          await acquire(socket)
          if (closed) return
          // The whole frames that came after it go in the same call (a Parse/Bind/Execute/Sync
          // sequence usually comes in one write): one call into PGlite instead of one per frame.
          let end = 0
          if (started) {
            for (let next = frameLength(buffer, true); next > 0 && buffer[end] !== terminate; next = frameLength(buffer.subarray(end), true)) end += next
          }
          const message = end === 0 ? frame : Buffer.concat([frame, buffer.subarray(0, end)])
          buffer = buffer.subarray(end)
          const answer = await db.execProtocolRaw(new Uint8Array(message))
          if (answer.length > 0 && socket.writable) socket.write(answer)
          if (endsIdle(answer)) release()
        }
      } catch (error) {
        socket.destroy(error instanceof Error ? error : new Error(String(error)))
      } finally {
        busy = false
      }
    }
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      void drain()
    })
    socket.on("error", () => undefined)
    socket.on("close", () => {
      closed = true
      void abandon(socket)
    })
  }

  const server: Server = createServer(serve)
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(path, () => resolve())
  })
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
