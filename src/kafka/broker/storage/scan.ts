import { readSync } from "node:fs";
import { batchBaseOffset, HEADER_SIZE, inspectBatch, LENGTH_OVERHEAD } from "../protocol/records.ts";

export interface ScannedBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

const CHUNK = 1 << 20;
const TWO_32 = 4294967296;

/** Reads `length` bytes at `position` (fewer only at end of file). */
export function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n <= 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

const declaredSize = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset + at, 12).getInt32(8) + LENGTH_OVERHEAD;

/**
 * Walks the batches of a segment file from `from` to `end`, a megabyte at a time. With `verify`, each
 * batch's magic and CRC are checked too. Stops at the first torn or invalid batch and returns the
 * position where valid data ends, which recovery truncates the file to.
 */
export function scanBatches(fd: number, from: number, end: number, verify: boolean, visit: (b: ScannedBatch) => boolean | void): number {
  let pos = from;
  while (pos < end) {
    if (end - pos < HEADER_SIZE) return pos;
    let chunk = readAt(fd, pos, Math.min(CHUNK, end - pos));
    if (chunk.byteLength < HEADER_SIZE) return pos;
    if (declaredSize(chunk, 0) > chunk.byteLength && declaredSize(chunk, 0) <= end - pos) {
      chunk = readAt(fd, pos, declaredSize(chunk, 0)); // one batch larger than the chunk
    }
    let at = 0;
    while (chunk.byteLength - at >= LENGTH_OVERHEAD) {
      const size = declaredSize(chunk, at);
      if (size < HEADER_SIZE || pos + at + size > end) return pos + at;
      if (at + size > chunk.byteLength) break;
      if (verify && typeof inspectBatch(chunk, at) === "string") return pos + at;
      const view = new DataView(chunk.buffer, chunk.byteOffset + at, HEADER_SIZE);
      const baseOffset = batchBaseOffset(chunk, at);
      const more = visit({
        position: pos + at,
        size,
        baseOffset,
        lastOffset: baseOffset + view.getInt32(23),
        maxTimestamp: view.getInt32(35) * TWO_32 + view.getUint32(39),
      });
      if (more === false) return pos + at + size;
      at += size;
    }
    if (at === 0) return pos;
    pos += at;
  }
  return pos;
}
