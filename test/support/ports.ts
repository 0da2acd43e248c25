import { createServer } from "node:net"

/** A port that was free a moment ago (the OS picks it; the caller binds it soon after). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export const isListening = (port: number, host = "127.0.0.1"): Promise<boolean> =>
  Bun.connect({ hostname: host, port, socket: { data() {}, open(socket) { socket.end() } } })
    .then(() => true)
    .catch(() => false)
