/** What the outbox needs from a socket: write returns how many bytes the kernel took. */
export interface WritableSocket {
  write(data: Uint8Array): number;
}

const COALESCE = 64 * 1024;

/**
 * Outgoing bytes of one connection. Responses finished in the same tick leave in one write (small
 * chunks are merged), large record chunks go out as they are, and whatever the socket does not take
 * waits for its drain event.
 */
export class Outbox {
  private readonly queue: Uint8Array[] = [];
  private scheduled = false;
  private blocked = false;
  queuedBytes = 0;

  constructor(private readonly socket: WritableSocket) {}

  push(chunks: readonly Uint8Array[]): void {
    for (const c of chunks) {
      this.queue.push(c);
      this.queuedBytes += c.byteLength;
    }
    if (!this.scheduled && !this.blocked) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes until the queue is empty or the socket is full; call again on drain. */
  flush(): void {
    this.scheduled = false;
    this.blocked = false;
    while (this.queue.length > 0) {
      const buf = this.next();
      const n = Math.max(0, this.socket.write(buf));
      this.queuedBytes -= n;
      if (n < buf.byteLength) {
        this.queue.unshift(buf.subarray(n));
        this.blocked = true;
        return;
      }
    }
  }

  private next(): Uint8Array {
    const first = this.queue[0]!;
    if (first.byteLength >= COALESCE || this.queue.length === 1) return this.queue.shift()!;
    let count = 0;
    let total = 0;
    while (count < this.queue.length && total + this.queue[count]!.byteLength <= COALESCE) total += this.queue[count++]!.byteLength;
    if (count <= 1) return this.queue.shift()!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.queue.splice(0, count)) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
