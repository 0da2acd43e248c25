import { crc32, gzipSync } from "node:zlib";

/** A legacy message (magic 0 or 1) for tests; magic 1 needs a timestamp. */
export interface LegacyMessage {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp?: number;
}

/**
 * An independent encoder of legacy message sets (Produce v0–2), so the tests do not rely on the broker's
 * reader: offset i64, size i32, crc u32 (IEEE CRC-32 over magic..end), magic i8, attributes i8,
 * [timestamp i64 for magic 1], key bytes, value bytes.
 */
export function encodeMessage(magic: 0 | 1, attributes: number, m: LegacyMessage, offset: number): Uint8Array {
  const kLen = m.key?.byteLength ?? 0;
  const vLen = m.value?.byteLength ?? 0;
  const body = new Uint8Array(4 + 1 + 1 + (magic === 1 ? 8 : 0) + 4 + kLen + 4 + vLen);
  const v = new DataView(body.buffer);
  let at = 4;
  v.setInt8(at++, magic);
  v.setInt8(at++, attributes);
  if (magic === 1) {
    v.setBigInt64(at, BigInt(m.timestamp ?? -1));
    at += 8;
  }
  v.setInt32(at, m.key ? kLen : -1);
  at += 4;
  if (m.key) body.set(m.key, at);
  at += kLen;
  v.setInt32(at, m.value ? vLen : -1);
  at += 4;
  if (m.value) body.set(m.value, at);
  v.setUint32(0, crc32(body.subarray(4)) >>> 0);
  const out = new Uint8Array(12 + body.byteLength);
  const ov = new DataView(out.buffer);
  ov.setBigInt64(0, BigInt(offset));
  ov.setInt32(8, body.byteLength);
  out.set(body, 12);
  return out;
}

export const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

/** Uncompressed set; offsets 0..n-1 as producers send them. */
export const messageSet = (magic: 0 | 1, messages: LegacyMessage[]) => concat(messages.map((m, i) => encodeMessage(magic, 0, m, i)));

/** A compressed wrapper message (codec 1 = gzip, 2 = snappy, 3 = lz4) around `payload`, the compressed inner set. */
export const wrapper = (magic: 0 | 1, codec: number, payload: Uint8Array, offset = 0, timestamp = -1) =>
  encodeMessage(magic, codec, { key: null, value: payload, timestamp }, offset);

/**
 * A set holding one gzip wrapper. For magic 1 the inner offsets are relative (0..n-1) and the wrapper's
 * offset is the last inner one; its timestamp is the latest inner one.
 */
export function gzipSet(magic: 0 | 1, messages: LegacyMessage[]): Uint8Array {
  const inner = new Uint8Array(gzipSync(messageSet(magic, messages)));
  const timestamp = messages.length > 0 ? Math.max(...messages.map((m) => m.timestamp ?? -1)) : -1;
  return wrapper(magic, 1, inner, magic === 1 ? Math.max(0, messages.length - 1) : 0, timestamp);
}
