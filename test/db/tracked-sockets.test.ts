import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createServer, type Server } from "node:net"
import { trackedSockets } from "../../src/db/tracked-sockets.ts"

describe("the database's tracked sockets", () => {
  let server: Server
  let port = 0
  beforeAll(async () => {
    server = createServer((peer) => peer.on("error", () => {}))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  test("an error after postgres.js let go of the socket (every listener removed at close) does not end the process", async () => {
    const socket = trackedSockets().open({ host: ["127.0.0.1"], port: [port] })
    await new Promise((resolve) => socket.once("connect", resolve))
    // What postgres.js does when a connection closes, then what Bun can still emit after it.
    socket.removeAllListeners()
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })
    expect(() => socket.emit("error", reset)).not.toThrow()
    socket.destroy()
  })

  test("while someone listens, an error still reaches them", async () => {
    const socket = trackedSockets().open({ host: ["127.0.0.1"], port: [port] })
    await new Promise((resolve) => socket.once("connect", resolve))
    const seen: Array<string> = []
    socket.on("error", (error: Error) => seen.push(error.message))
    socket.emit("error", new Error("read ECONNRESET"))
    expect(seen).toEqual(["read ECONNRESET"])
    socket.destroy()
  })
})
