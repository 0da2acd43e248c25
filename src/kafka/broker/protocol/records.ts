import { crc32c } from "./crc32c.ts";

/**
 * The fixed 61-byte RecordBatch (magic 2) header. The broker never decodes records: it validates the
 * length and CRC, rewrites baseOffset (outside the CRC) and stores the batch as opaque bytes.
 */
export const HEADER_SIZE = 61;
export const LENGTH_OVERHEAD = 12; // baseOffset + batchLength precede what batchLength counts
const TWO_32 = 4294967296;

const at = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export interface BatchInfo {
  size: number;
  lastOffsetDelta: number;
  recordCount: number;
  maxTimestamp: number;
}

/** Why a batch was rejected, or its header facts. Checks magic, length and CRC-32C. */
export function inspectBatch(bytes: Uint8Array, offset = 0): BatchInfo | string {
  if (bytes.byteLength - offset < HEADER_SIZE) return "batch shorter than its header";
  const v = at(bytes);
  const size = v.getInt32(offset + 8) + LENGTH_OVERHEAD;
  if (size < HEADER_SIZE || offset + size > bytes.byteLength) return `batch length ${size} does not fit`;
  if (v.getInt8(offset + 16) !== 2) return `unsupported magic ${v.getInt8(offset + 16)}`;
  if (crc32c(bytes, offset + 21, offset + size) !== v.getUint32(offset + 17)) return "CRC-32C mismatch";
  const lastOffsetDelta = v.getInt32(offset + 23);
  const recordCount = v.getInt32(offset + 57);
  if (lastOffsetDelta < 0 || recordCount < 0) return "negative offset delta or record count";
  const maxTimestamp = v.getInt32(offset + 35) * TWO_32 + v.getUint32(offset + 39);
  return { size, lastOffsetDelta, recordCount, maxTimestamp };
}

export function batchBaseOffset(bytes: Uint8Array, offset = 0): number {
  const v = at(bytes);
  return v.getInt32(offset) * TWO_32 + v.getUint32(offset + 4);
}

export function setBatchBaseOffset(bytes: Uint8Array, baseOffset: number, offset = 0): void {
  const v = at(bytes);
  v.setInt32(offset, Math.floor(baseOffset / TWO_32));
  v.setUint32(offset + 4, baseOffset >>> 0);
  v.setInt32(offset + 12, 0); // partitionLeaderEpoch: this single broker's only epoch
}

/** Size of the batch at `offset` from its length field alone (no CRC check), or -1 if it does not fit. */
export function batchSize(bytes: Uint8Array, offset: number, end = bytes.byteLength): number {
  if (end - offset < LENGTH_OVERHEAD) return -1;
  const size = at(bytes).getInt32(offset + 8) + LENGTH_OVERHEAD;
  return size >= HEADER_SIZE && offset + size <= end ? size : -1;
}

export function batchLastOffset(bytes: Uint8Array, offset = 0): number {
  return batchBaseOffset(bytes, offset) + at(bytes).getInt32(offset + 23);
}

function varint(b: Uint8Array, pos: { i: number }): number {
  let shift = 0;
  let raw = 0;
  for (;;) {
    const byte = b[pos.i++];
    if (byte === undefined) return Number.NaN;
    raw += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 63) return Number.NaN;
  }
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
}

/**
 * Offset and timestamp of the first record at or after `ts` in an uncompressed batch, or null when the
 * batch is compressed (the caller then answers with the batch's base offset, which clients accept).
 */
export function findTimestampInBatch(bytes: Uint8Array, offset: number, ts: number): { offset: number; timestamp: number } | null {
  const v = at(bytes);
  if ((v.getInt16(offset + 21) & 0x07) !== 0) return null;
  const size = v.getInt32(offset + 8) + LENGTH_OVERHEAD;
  const base = batchBaseOffset(bytes, offset);
  const first = v.getInt32(offset + 27) * TWO_32 + v.getUint32(offset + 31);
  const pos = { i: offset + HEADER_SIZE };
  const end = offset + size;
  while (pos.i < end) {
    const len = varint(bytes, pos);
    const next = pos.i + len;
    pos.i += 1; // record attributes
    const tsDelta = varint(bytes, pos);
    const offsetDelta = varint(bytes, pos);
    if (Number.isNaN(len) || Number.isNaN(tsDelta) || Number.isNaN(offsetDelta)) return null;
    if (first + tsDelta >= ts) return { offset: base + offsetDelta, timestamp: first + tsDelta };
    pos.i = next;
  }
  return null;
}
