import { connect, createServer, type Socket } from "node:net";

export interface KafkaProxyOptions {
  /** Swallow the responses to the first `count` requests of `apiKey` and cut those connections. */
  readonly dropResponses?: { readonly apiKey: number; readonly count: number };
  /** Leave these API keys out of every ApiVersions answer, as a broker without them would. */
  readonly hideApis?: readonly number[];
}

export interface KafkaProxy {
  readonly port: number;
  /** Responses swallowed so far (each one closed its connection). */
  dropped(): number;
  /** API keys of every request that went through, in order. */
  requests(): number[];
  /** From now on, leave these API keys out of ApiVersions answers (replaces `hideApis`). */
  hide(apiKeys: readonly number[]): void;
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

/** An ApiVersions v0–2 response frame without the entries of `hidden`. */
function withoutApis(frame: Buffer, hidden: ReadonlySet<number>): Buffer {
  const count = frame.readInt32BE(10);
  const kept: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const entry = frame.subarray(14 + i * 6, 20 + i * 6);
    if (!hidden.has(entry.readInt16BE(0))) kept.push(entry);
  }
  const head = Buffer.from(frame.subarray(0, 14));
  head.writeInt32BE(kept.length, 10);
  const out = Buffer.concat([head, ...kept, frame.subarray(14 + count * 6)]);
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

/**
 * A proxy in front of a broker that sees every Kafka frame: it records the requests, can swallow the
 * responses to some of them and cut the connection (the broker did the work, the client never heard,
 * as when a connection drops at the worst moment) and can hide APIs from ApiVersions.
 */
export async function startKafkaProxy(target: { host: string; port: number }, options: KafkaProxyOptions = {}): Promise<KafkaProxy> {
  let dropsLeft = options.dropResponses?.count ?? 0;
  let hidden = new Set(options.hideApis ?? []);
  const seen: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const apiOf = new Map<number, number>();
    client.on(
      "data",
      framer((frame) => {
        const apiKey = frame.readInt16BE(4);
        seen.push(apiKey);
        apiOf.set(frame.readInt32BE(8), apiKey);
        upstream.write(frame);
      }),
    );
    upstream.on(
      "data",
      framer((frame) => {
        const correlation = frame.readInt32BE(4);
        const apiKey = apiOf.get(correlation);
        apiOf.delete(correlation);
        if (apiKey === options.dropResponses?.apiKey && dropsLeft > 0) {
          dropsLeft--;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(apiKey === 18 && hidden.size > 0 && frame.readInt16BE(8) === 0 ? withoutApis(frame, hidden) : frame);
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
    dropped: () => (options.dropResponses?.count ?? 0) - dropsLeft,
    requests: () => [...seen],
    hide: (apiKeys) => void (hidden = new Set(apiKeys)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
