/** Thrown when a frame does not decode; the connection that sent it is closed. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const TWO_32 = 4294967296;

/**
 * Bounds-checked big-endian reader over one request frame. Every read checks the remaining length so a
 * truncated or lying frame throws ProtocolError instead of reading past the end or allocating wildly.
 */
export class Reader {
  private readonly view: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.byteLength) {
      throw new ProtocolError(`frame truncated: need ${n} bytes at ${this.pos} of ${this.bytes.byteLength}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(): number {
    return this.view.getInt8(this.need(1));
  }
  int16(): number {
    return this.view.getInt16(this.need(2));
  }
  int32(): number {
    return this.view.getInt32(this.need(4));
  }
  uint32(): number {
    return this.view.getUint32(this.need(4));
  }
  /** int64 as a number: offsets and timestamps stay far below 2^53. */
  int64(): number {
    const at = this.need(8);
    return this.view.getInt32(at) * TWO_32 + this.view.getUint32(at + 4);
  }
  bool(): boolean {
    return this.view.getUint8(this.need(1)) !== 0;
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    const at = this.need(n);
    return utf8.decode(this.bytes.subarray(at, at + n));
  }
  string(): string {
    return this.nullableString() ?? "";
  }

  /** A zero-copy view into the frame; callers that keep it beyond the request must copy. */
  nullableBytes(): Uint8Array | null {
    const n = this.int32();
    if (n < 0) return null;
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  bytes16(): Uint8Array {
    const at = this.need(16);
    return this.bytes.subarray(at, at + 16);
  }

  /** Unsigned varint (protobuf style, at most 5 bytes), the length prefix of flexible versions. */
  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.view.getUint8(this.need(1));
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) throw new ProtocolError(`unsigned varint out of range at ${this.pos}`);
        return value;
      }
    }
    throw new ProtocolError(`unsigned varint longer than 5 bytes at ${this.pos}`);
  }

  /** Length of a compact string, bytes or array: the varint holds length + 1, 0 meaning null (-1 here). */
  private compactLength(): number {
    const n = this.unsignedVarint() - 1;
    if (n > this.remaining) throw new ProtocolError(`compact length ${n} exceeds frame`);
    return n;
  }

  compactNullableString(): string | null {
    const n = this.compactLength();
    if (n < 0) return null;
    const at = this.need(n);
    return utf8.decode(this.bytes.subarray(at, at + n));
  }
  compactString(): string {
    return this.compactNullableString() ?? "";
  }

  /** Zero-copy like nullableBytes. */
  compactNullableBytes(): Uint8Array | null {
    const n = this.compactLength();
    if (n < 0) return null;
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  /** Compact array length (-1 for null), with the same frame check as arrayLength. */
  compactArrayLength(minSize: number): number {
    const n = this.compactLength();
    if (n > 0 && n * minSize > this.remaining) throw new ProtocolError(`array length ${n} exceeds frame`);
    return n;
  }

  float64(): number {
    return this.view.getFloat64(this.need(8));
  }

  /** Skips a tagged-field section whose tags are all unknown to the reader (request header v2). */
  skipTaggedFields(): void {
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint();
      this.need(this.unsignedVarint());
    }
  }

  /** Array length, rejecting counts that could not fit in what is left (each element takes ≥ minSize bytes). */
  arrayLength(minSize: number): number {
    const n = this.int32();
    if (n < 0) return -1;
    if (n * minSize > this.remaining) throw new ProtocolError(`array length ${n} exceeds frame`);
    return n;
  }
}
