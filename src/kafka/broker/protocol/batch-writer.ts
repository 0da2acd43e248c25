import { crc32c } from "./crc32c.ts";
import { HEADER_SIZE, LENGTH_OVERHEAD } from "./records.ts";

/** A record to encode: no headers (legacy messages have none). */
export interface PlainRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: number;
}

const TWO_32 = 4294967296;
const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);

function varintSize(n: number): number {
  let z = zigzag(n);
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

function putVarint(b: Uint8Array, at: number, n: number): number {
  let z = zigzag(n);
  while (z >= 0x80) {
    b[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  b[at++] = z;
  return at;
}

const bytesSize = (x: Uint8Array | null) => (x ? varintSize(x.byteLength) + x.byteLength : 1);
function putBytes(b: Uint8Array, at: number, x: Uint8Array | null): number {
  if (!x) return putVarint(b, at, -1);
  at = putVarint(b, at, x.byteLength);
  b.set(x, at);
  return at + x.byteLength;
}

function putInt64(v: DataView, at: number, x: number): void {
  v.setInt32(at, Math.floor(x / TWO_32));
  v.setUint32(at + 4, x >>> 0);
}

/**
 * One uncompressed RecordBatch (magic 2, CreateTime, no producer id) holding `records` at offset deltas
 * 0..n-1, its CRC-32C computed. baseOffset is 0: the log rewrites it on append, outside the CRC.
 */
export function encodeRecordBatch(records: readonly PlainRecord[]): Uint8Array {
  if (records.length === 0) throw new Error("a record batch needs at least one record");
  const first = records[0]!.timestamp;
  let max = first;
  const bodies = records.map((r, i) => {
    if (r.timestamp > max) max = r.timestamp;
    // attributes, timestampDelta, offsetDelta, key, value, header count (0)
    return 1 + varintSize(r.timestamp - first) + varintSize(i) + bytesSize(r.key) + bytesSize(r.value) + 1;
  });
  const size = HEADER_SIZE + bodies.reduce((sum, n) => sum + varintSize(n) + n, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setInt32(8, size - LENGTH_OVERHEAD);
  v.setInt32(12, -1); // partitionLeaderEpoch
  v.setInt8(16, 2); // magic; attributes (21) stay 0: uncompressed, CreateTime, not transactional
  v.setInt32(23, records.length - 1);
  putInt64(v, 27, first);
  putInt64(v, 35, max);
  putInt64(v, 43, -1); // producerId
  v.setInt16(51, -1); // producerEpoch
  v.setInt32(53, -1); // baseSequence
  v.setInt32(57, records.length);
  let at = HEADER_SIZE;
  records.forEach((r, i) => {
    at = putVarint(out, at, bodies[i]!);
    out[at++] = 0;
    at = putVarint(out, at, r.timestamp - first);
    at = putVarint(out, at, i);
    at = putBytes(out, at, r.key);
    at = putBytes(out, at, r.value);
    out[at++] = 0;
  });
  v.setUint32(17, crc32c(out, 21));
  return out;
}
