import type { BrokerState, RequestContext } from "./apis/api.ts";
import { apiVersions } from "./apis/api-versions.ts";
import { BEFORE_AUTHENTICATION, SaslSession } from "./auth/sasl-session.ts";
import { FrameReader } from "./frame-reader.ts";
import { Outbox, type WritableSocket } from "./outbox.ts";
import { ErrorCode } from "./protocol/errors.ts";
import { encodeResponse, readRequestHeader, skipRequestHeaderTags } from "./protocol/header.ts";
import { ProtocolError, Reader } from "./protocol/reader.ts";
import { isFlexible } from "./protocol/schema.ts";
import { lookupApi } from "./registry.ts";

export interface ConnectionSocket extends WritableSocket {
  readonly remoteAddress: string;
  end(): void;
}

/** A response slot, filled when its request's handler finishes; slots leave strictly in request order. */
interface Slot {
  chunks: Uint8Array[] | null;
}

/**
 * One client connection: frames in, handlers run in arrival order, responses out in that same order even
 * when an earlier request (join, sync, long-poll fetch) is still held. Anything malformed closes this
 * connection alone.
 */
export class Connection {
  private readonly reader: FrameReader;
  private readonly outbox: Outbox;
  private readonly slots: Slot[] = [];
  private readonly closeListeners = new Set<() => void>();
  private readonly session: SaslSession;
  private closing = false;
  closed = false;
  readonly alive = () => !this.closed;
  readonly onClose = (cb: () => void) => {
    this.closeListeners.add(cb);
    return () => void this.closeListeners.delete(cb);
  };

  constructor(
    private readonly socket: ConnectionSocket,
    private readonly broker: BrokerState,
    private readonly advertised: { host: string; port: number },
    maxFrameBytes: number,
    private readonly onClosed: (c: Connection) => void,
  ) {
    this.outbox = new Outbox(socket);
    this.session = new SaslSession(broker.security, socket.remoteAddress);
    this.reader = new FrameReader(
      maxFrameBytes,
      (frame) => this.onFrame(frame),
      (size) => this.fail(`frame size ${size} outside 0..${maxFrameBytes}`),
    );
  }

  receive(data: Uint8Array): void {
    if (!this.closed) this.reader.push(data);
  }

  drain(): void {
    if (!this.closed) this.outbox.flush();
  }

  private onFrame(frame: Uint8Array): boolean {
    try {
      if (this.session.rawTokens) this.rawToken(frame);
      else this.handle(new Reader(frame));
    } catch (e) {
      if (e instanceof ProtocolError) this.fail(e.message);
      else {
        this.broker.log.error("request handler failed", { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        this.fail("internal error");
      }
    }
    return !this.closed;
  }

  /** A SASL token sent as a bare frame after a SaslHandshake v0; answered the same way, or the connection closes. */
  private rawToken(frame: Uint8Array): void {
    const r = this.session.authenticate(frame);
    if (r.errorCode !== ErrorCode.NONE) return this.fail(`SASL authentication failed: ${r.errorMessage}`);
    const size = new Uint8Array(4);
    new DataView(size.buffer).setInt32(0, r.reply.byteLength);
    this.slots.push({ chunks: [size, r.reply] });
    this.release();
  }

  private handle(r: Reader): void {
    const header = readRequestHeader(r);
    if (!this.session.authenticated && !BEFORE_AUTHENTICATION.has(header.apiKey)) {
      // As Kafka does: nothing but ApiVersions and the SASL exchange before authentication.
      return this.fail(`request ${header.apiKey} before SASL authentication`, header.clientId);
    }
    const api = lookupApi(header.apiKey);
    if (header.apiKey === apiVersions.key && header.apiVersion > apiVersions.maxVersion) {
      // A client probing with a newer version than served gets this v0-layout error listing the versions that exist.
      const body = { ...apiVersions.response.empty(), errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [...this.broker.apiRanges] };
      this.slots.push({ chunks: encodeResponse(header.correlationId, apiVersions.response, body, 0) });
      return this.release();
    }
    if (!api || header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
      return this.fail(`unsupported API key ${header.apiKey} version ${header.apiVersion}`, header.clientId);
    }
    this.broker.onRequest?.(api.name);
    const flexible = isFlexible(api, header.apiVersion);
    if (flexible) skipRequestHeaderTags(r);
    const request = api.request.read(r, header.apiVersion);
    const ctx: RequestContext = {
      broker: this.broker,
      version: header.apiVersion,
      clientId: header.clientId,
      clientHost: this.socket.remoteAddress,
      advertised: this.advertised,
      alive: this.alive,
      onClose: this.onClose,
      session: this.session,
      access: this.session.access,
      closeAfterResponse: () => void (this.closing = true),
    };
    const result = api.handle(request, ctx);
    if (result === null) return;
    // ApiVersions answers with header v0 in every version, so a client can read it before knowing the versions.
    const headerV1 = flexible && api.key !== apiVersions.key;
    const encode = (value: unknown) => encodeResponse(header.correlationId, api.response, value, header.apiVersion, headerV1);
    if (!(result instanceof Promise)) {
      this.slots.push({ chunks: encode(result) });
      return this.release();
    }
    const slot: Slot = { chunks: null };
    this.slots.push(slot);
    result.then(
      (value) => {
        slot.chunks = encode(value);
        this.release();
      },
      (e: unknown) => {
        this.broker.log.error("request handler failed", { api: api.name, error: String(e) });
        this.fail("internal error");
      },
    );
  }

  /** Sends every finished response at the head of the queue. */
  private release(): void {
    if (this.closed) return;
    let done: Uint8Array[] | null = null;
    while (this.slots.length > 0 && this.slots[0]!.chunks) {
      const chunks = this.slots.shift()!.chunks!;
      if (done) done.push(...chunks);
      else done = chunks;
    }
    if (done) this.outbox.push(done);
    if (this.closing && this.slots.length === 0) queueMicrotask(() => this.close());
  }

  private fail(reason: string, clientId?: string): void {
    if (this.closed) return;
    this.broker.log.warn("closing connection", { remote: this.socket.remoteAddress, reason, ...(clientId ? { clientId } : {}) });
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.slots.length = 0;
    try {
      this.socket.end();
    } catch {}
    for (const cb of this.closeListeners) cb();
    this.closeListeners.clear();
    this.onClosed(this);
  }
}
