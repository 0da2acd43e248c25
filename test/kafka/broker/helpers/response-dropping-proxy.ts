import { connect, createServer, type Socket } from "node:net";

export interface DroppingProxy {
  readonly port: number;
  /** Responses swallowed so far (each one closed its connection). */
  dropped(): number;
  close(): Promise<void>;
}

/** Splits a byte stream into Kafka frames (4-byte size, then the frame). */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 4 && buffer.length >= 4 + buffer.readInt32BE(0)) {
      const size = buffer.readInt32BE(0);
      onFrame(buffer.subarray(0, 4 + size));
      buffer = buffer.subarray(4 + size);
    }
  };
}

/**
 * A proxy in front of a broker that lets requests through but swallows the responses to the first
 * `count` requests of API `apiKey` and cuts those connections: the broker did the work, the client
 * never heard, as when a connection drops at the worst moment. The client then retries.
 */
export async function startDroppingProxy(target: { host: string; port: number }, apiKey: number, count: number): Promise<DroppingProxy> {
  let dropsLeft = count;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const watched = new Set<number>();
    client.on(
      "data",
      framer((frame) => {
        if (frame.readInt16BE(4) === apiKey) watched.add(frame.readInt32BE(8));
        upstream.write(frame);
      }),
    );
    upstream.on(
      "data",
      framer((frame) => {
        const correlation = frame.readInt32BE(4);
        if (watched.has(correlation) && dropsLeft > 0) {
          dropsLeft--;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(frame);
      }),
    );
    for (const s of [client, upstream]) {
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    dropped: () => count - dropsLeft,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
