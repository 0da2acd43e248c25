const utf8 = new TextEncoder();
const TWO_32 = 4294967296;
export const varintSize = (x: number): number => (x < 0x80 ? 1 : x < 0x4000 ? 2 : x < 0x200000 ? 3 : x < 0x10000000 ? 4 : 5);

/** Byte arrays at least this large are referenced, not copied, into the output. */
const EXTERNAL_MIN = 4096;

/**
 * Big-endian writer producing a list of chunks: small fields go into a growing buffer, large byte fields
 * (fetched record batches) are linked in as they are, so a fetch response never copies its records.
 */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private start = 0;
  private pos = 0;
  private readonly chunks: Uint8Array[] = [];
  private flushed = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.flushed + this.pos - this.start;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.byteLength) return;
    const pending = this.pos - this.start;
    const next = new Uint8Array(Math.max(this.buf.byteLength * 2, pending + n + 256));
    next.set(this.buf.subarray(this.start, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.start = 0;
    this.pos = pending;
  }

  int8(x: number): void {
    this.ensure(1);
    this.view.setInt8(this.pos, x);
    this.pos += 1;
  }
  int16(x: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, x);
    this.pos += 2;
  }
  int32(x: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, x);
    this.pos += 4;
  }
  uint32(x: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, x);
    this.pos += 4;
  }
  int64(x: number): void {
    this.ensure(8);
    this.view.setInt32(this.pos, Math.floor(x / TWO_32));
    this.view.setUint32(this.pos + 4, x >>> 0);
    this.pos += 8;
  }
  bool(x: boolean): void {
    this.int8(x ? 1 : 0);
  }

  nullableString(s: string | null): void {
    if (s === null) return this.int16(-1);
    this.ensure(2 + s.length * 3);
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos + 2));
    this.view.setInt16(this.pos, written);
    this.pos += 2 + written;
  }

  float64(x: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, x);
    this.pos += 8;
  }

  unsignedVarint(x: number): void {
    this.ensure(5);
    while (x >= 0x80) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x = Math.floor(x / 128);
    }
    this.buf[this.pos++] = x;
  }

  /** Compact string: varint of length + 1 (0 for null), then UTF-8. */
  compactNullableString(s: string | null): void {
    if (s === null) return this.unsignedVarint(0);
    this.ensure(5 + s.length * 3);
    // Encode after a one-byte prefix, then move the text if the prefix turns out longer.
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos + 1));
    const size = varintSize(written + 1);
    if (size > 1) this.buf.copyWithin(this.pos + size, this.pos + 1, this.pos + 1 + written);
    this.unsignedVarint(written + 1);
    this.pos += written;
  }

  compactNullableBytes(bytes: Uint8Array | readonly Uint8Array[] | null): void {
    if (bytes === null) return this.unsignedVarint(0);
    if (bytes instanceof Uint8Array) {
      this.unsignedVarint(bytes.byteLength + 1);
      return this.raw(bytes);
    }
    let total = 0;
    for (const b of bytes) total += b.byteLength;
    this.unsignedVarint(total + 1);
    for (const b of bytes) this.raw(b);
  }

  raw(bytes: Uint8Array): void {
    if (bytes.byteLength >= EXTERNAL_MIN) {
      this.cut();
      this.chunks.push(bytes);
      this.flushed += bytes.byteLength;
      return;
    }
    this.ensure(bytes.byteLength);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }

  nullableBytes(bytes: Uint8Array | readonly Uint8Array[] | null): void {
    if (bytes === null) return this.int32(-1);
    if (bytes instanceof Uint8Array) {
      this.int32(bytes.byteLength);
      return this.raw(bytes);
    }
    let total = 0;
    for (const b of bytes) total += b.byteLength;
    this.int32(total);
    for (const b of bytes) this.raw(b);
  }

  private cut(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.flushed += this.pos - this.start;
      this.start = this.pos;
    }
  }

  /** The written bytes as chunks, in order. */
  chunksOut(): Uint8Array[] {
    this.cut();
    return this.chunks;
  }

  /** The written bytes as one array (copies only if they span several chunks). */
  toBytes(): Uint8Array {
    const chunks = this.chunksOut();
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
