import { connect, type Socket } from "node:net";
import { isFlexible, type ApiSchema } from "../../../../src/kafka/broker/protocol/schema.ts";
import { Reader } from "../../../../src/kafka/broker/protocol/reader.ts";
import { Writer } from "../../../../src/kafka/broker/protocol/writer.ts";

/** A bare Kafka-protocol connection for tests that need exact control over frames. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private correlation = 0;
  private readonly waiting = new Map<number, (body: Uint8Array) => void>();
  readonly received: number[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (d: Buffer) => this.onData(d));
    this.closedPromise = new Promise((r) => socket.on("close", () => {
      this.closed = true;
      r();
    }));
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawClient(s)));
      s.once("error", reject);
    });
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < 4 + size) return;
      const frame = this.buffer.subarray(4, 4 + size);
      this.buffer = this.buffer.subarray(4 + size);
      if (size < 4) {
        this.received.push(-1); // a bare SASL token, not a response
        continue;
      }
      const id = frame.readInt32BE(0);
      this.received.push(id);
      this.waiting.get(id)?.(new Uint8Array(frame.subarray(4)));
      this.waiting.delete(id);
    }
  }

  /** Calls `cb` with the body (after the correlation id) of the response to `id`, for hand-built requests. */
  onResponse(id: number, cb: (body: Uint8Array) => void): void {
    this.waiting.set(id, cb);
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends a request (header v1, or v2 for flexible versions) and returns its correlation id. */
  send<Req, Res>(api: ApiSchema<Req, Res>, version: number, request: Req, clientId = "raw-test"): number {
    const id = ++this.correlation;
    const w = new Writer();
    w.int32(0);
    w.int16(api.key);
    w.int16(version);
    w.int32(id);
    w.nullableString(clientId);
    if (isFlexible(api, version)) w.unsignedVarint(0);
    api.request.write(w, request, version);
    const bytes = w.toBytes();
    new DataView(bytes.buffer, bytes.byteOffset).setInt32(0, bytes.byteLength - 4);
    this.write(bytes);
    return id;
  }

  response<Req, Res>(api: ApiSchema<Req, Res>, version: number, id: number, timeoutMs = 10_000): Promise<Res> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${api.name} #${id}`)), timeoutMs);
      this.waiting.set(id, (body) => {
        clearTimeout(timer);
        const r = new Reader(body);
        // Flexible responses have header v1 (tagged fields), except ApiVersions, always header v0.
        if (isFlexible(api, version) && api.key !== 18) r.skipTaggedFields();
        const value = api.response.read(r, version);
        if (r.remaining !== 0) reject(new Error(`${api.name} v${version} response has ${r.remaining} bytes left over`));
        resolve(value);
      });
      void this.closedPromise.then(() => reject(new Error("connection closed")));
    });
  }

  request<Req, Res>(api: ApiSchema<Req, Res>, version: number, request: Req): Promise<Res> {
    return this.response(api, version, this.send(api, version, request));
  }

  close(): void {
    this.socket.destroy();
  }
}
