/**
 * A service in a process of its own that takes an upload at `SINK_BYTES_PER_MS` (default 40,000:
 * 40 MB/s), slower than a client in memory sends it, and answers 201 with the bytes it read: the
 * proxy in front of it must hold back, not buffer, what it cannot pass on yet. Prints its port.
 */
const pace = Number(process.env.SINK_BYTES_PER_MS ?? 40_000)
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  maxRequestBodySize: 1024 ** 3,
  fetch: async (request) => {
    let bytes = 0
    for await (const chunk of request.body ?? []) {
      bytes += chunk.byteLength
      await Bun.sleep(Math.ceil(chunk.byteLength / pace))
    }
    return Response.json({ bytes }, { status: 201 })
  }
})
console.log(server.port)
