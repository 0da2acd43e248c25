import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of the broker that notes the API key and version of every request passing
 * through, so a test can tell which versions a client actually chose. Start the broker with
 * `advertisedPort: proxy.port` so the client keeps coming back through it, then `proxy.forwardTo(port)`.
 */
export interface RecordingProxy {
  readonly port: number;
  /** API key → versions seen. */
  readonly seen: Map<number, Set<number>>;
  forwardTo(port: number): void;
  close(): Promise<void>;
}

export async function recordingProxy(): Promise<RecordingProxy> {
  const seen = new Map<number, Set<number>>();
  const sockets = new Set<Socket>();
  let upstreamPort = 0;
  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: upstreamPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    let pending = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const key = pending.readInt16BE(4);
        const version = pending.readInt16BE(6);
        if (!seen.has(key)) seen.set(key, new Set());
        seen.get(key)!.add(version);
        pending = pending.subarray(4 + size);
      }
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  return {
    port: address.port,
    seen,
    forwardTo: (port) => void (upstreamPort = port),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
