/**
 * Splits a TCP byte stream into request frames (int32 size + body). Each frame is copied out once, so
 * handlers own their bytes whatever the socket layer does with its buffers. Memory for a partial frame
 * grows with the bytes actually received, so a client that lies about a frame's length costs nothing.
 */
export class FrameReader {
  private header = new Uint8Array(4);
  private headerFill = 0;
  private size = -1;
  private parts: Uint8Array[] = [];
  private partBytes = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (frame: Uint8Array) => boolean,
    private readonly onBadSize: (size: number) => void,
  ) {}

  /** Feeds bytes; stops early when onFrame returns false (the connection is closing). */
  push(data: Uint8Array): void {
    let i = 0;
    while (i < data.byteLength) {
      if (this.size < 0) {
        if (this.headerFill === 0 && data.byteLength - i >= 4) {
          this.size = new DataView(data.buffer, data.byteOffset + i, 4).getInt32(0);
          i += 4;
        } else {
          while (this.headerFill < 4 && i < data.byteLength) this.header[this.headerFill++] = data[i++]!;
          if (this.headerFill < 4) return;
          this.size = new DataView(this.header.buffer).getInt32(0);
          this.headerFill = 0;
        }
        if (this.size < 0 || this.size > this.maxFrameBytes) return this.onBadSize(this.size);
        if (this.size <= data.byteLength - i) {
          const frame = data.slice(i, i + this.size);
          i += this.size;
          this.size = -1;
          if (!this.onFrame(frame)) return;
          continue;
        }
      }
      const n = Math.min(this.size - this.partBytes, data.byteLength - i);
      this.parts.push(data.slice(i, i + n));
      this.partBytes += n;
      i += n;
      if (this.partBytes === this.size) {
        const frame = concat(this.parts, this.size);
        this.parts = [];
        this.partBytes = 0;
        this.size = -1;
        if (!this.onFrame(frame)) return;
      }
    }
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
