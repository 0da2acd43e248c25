import { gunzipSync, gzipSync } from "node:zlib";
import { crc32c } from "../../../../src/kafka/broker/protocol/crc32c.ts";

export interface TestRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: { key: string; value: Uint8Array | null }[];
  timestamp?: number;
}

function varint(out: number[], n: number): void {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 0x80) {
    out.push((z & 0x7f) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
}

function bytesField(out: number[], b: Uint8Array | null): void {
  if (b === null) return varint(out, -1);
  varint(out, b.byteLength);
  for (const x of b) out.push(x);
}

/** An independent RecordBatch v2 encoder for tests, so they do not rely on the broker's own code. */
export function buildBatch(records: TestRecord[], opts: { gzip?: boolean; baseTimestamp?: number; producer?: { id: number; epoch: number; sequence: number } } = {}): Uint8Array {
  const base = opts.baseTimestamp ?? records[0]?.timestamp ?? Date.now();
  const body: number[] = [];
  records.forEach((r, i) => {
    const rec: number[] = [0];
    varint(rec, (r.timestamp ?? base) - base);
    varint(rec, i);
    bytesField(rec, r.key);
    bytesField(rec, r.value);
    varint(rec, r.headers?.length ?? 0);
    for (const h of r.headers ?? []) {
      bytesField(rec, new TextEncoder().encode(h.key));
      bytesField(rec, h.value);
    }
    varint(body, rec.length);
    body.push(...rec);
  });
  const payload = opts.gzip ? new Uint8Array(gzipSync(new Uint8Array(body))) : new Uint8Array(body);
  const out = new Uint8Array(61 + payload.byteLength);
  const v = new DataView(out.buffer);
  const maxTs = Math.max(base, ...records.map((r) => r.timestamp ?? base));
  v.setBigInt64(0, 0n);
  v.setInt32(8, out.byteLength - 12);
  v.setInt32(12, -1);
  v.setInt8(16, 2);
  v.setInt16(21, opts.gzip ? 1 : 0);
  v.setInt32(23, records.length - 1);
  v.setBigInt64(27, BigInt(base));
  v.setBigInt64(35, BigInt(maxTs));
  v.setBigInt64(43, BigInt(opts.producer?.id ?? -1));
  v.setInt16(51, opts.producer?.epoch ?? -1);
  v.setInt32(53, opts.producer?.sequence ?? -1);
  v.setInt32(57, records.length);
  out.set(payload, 61);
  v.setUint32(17, crc32c(out, 21));
  return out;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: { key: string; value: Uint8Array | null }[];
}

/** Decodes fetched record bytes, checking each batch's CRC (clients never do). */
export function decodeBatches(bytes: Uint8Array): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 61 <= bytes.byteLength; ) {
    const size = v.getInt32(at + 8) + 12;
    if (crc32c(bytes, at + 21, at + size) !== v.getUint32(at + 17)) throw new Error(`CRC mismatch in batch at ${at}`);
    const baseOffset = Number(v.getBigInt64(at));
    const baseTs = Number(v.getBigInt64(at + 27));
    const codec = v.getInt16(at + 21) & 7;
    let recs = bytes.subarray(at + 61, at + size);
    if (codec === 1) recs = new Uint8Array(gunzipSync(recs));
    else if (codec !== 0) throw new Error(`codec ${codec} not decodable in tests`);
    const pos = { i: 0 };
    const rv = () => {
      let shift = 0;
      let raw = 0;
      for (;;) {
        const b = recs[pos.i++]!;
        raw += (b & 0x7f) * 2 ** shift;
        if (!(b & 0x80)) break;
        shift += 7;
      }
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    };
    const rb = () => {
      const n = rv();
      if (n < 0) return null;
      const b = recs.slice(pos.i, pos.i + n);
      pos.i += n;
      return b;
    };
    for (let n = v.getInt32(at + 57); n > 0; n--) {
      rv();
      pos.i++;
      const ts = rv();
      const od = rv();
      const key = rb();
      const value = rb();
      const headers = Array.from({ length: rv() }, () => ({ key: new TextDecoder().decode(rb()!), value: rb() }));
      out.push({ offset: baseOffset + od, timestamp: baseTs + ts, key, value, headers });
    }
    at += size;
  }
  return out;
}
