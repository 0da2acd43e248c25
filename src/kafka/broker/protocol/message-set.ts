import { crc32, gunzipSync } from "node:zlib";
import { ErrorCode } from "./errors.ts";
import { ProtocolError, Reader } from "./reader.ts";

/**
 * The legacy message sets of Produce v0–2 (magic 0 and 1), read into plain records so the broker can
 * store them as one RecordBatch v2. A message is offset i64, size i32, crc u32 (IEEE CRC-32 over the rest),
 * magic i8, attributes i8, [timestamp i64 if magic 1], key bytes, value bytes. A compressed message is a
 * wrapper whose value is a compressed inner message set. Producers' offsets are ignored: the broker
 * assigns its own, in order.
 */
export interface LegacyRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: number;
}

export interface LegacyRejection {
  errorCode: number;
  reason: string;
}

/** Cap on what one set's gzip wrappers inflate to in all, so a small request cannot make the broker allocate without bound. */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
const LOG_APPEND_TIME = 0x08;
const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"];

class Rejected extends Error {
  constructor(
    readonly errorCode: number,
    reason: string,
  ) {
    super(reason);
  }
}
const corrupt = (reason: string) => new Rejected(ErrorCode.CORRUPT_MESSAGE, reason);

/** What reading one produced set accumulates: its records and how much its gzip wrappers inflated. */
interface Progress {
  readonly appendTime: number;
  readonly out: LegacyRecord[];
  inflated: number;
}
/** Set inside a compressed wrapper: the timestamp its records take when it says LogAppendTime. */
type Wrapper = { logAppendTime: number | null } | null;

/** The set's records in order (inner records of wrappers expanded), or why it is rejected. */
export function readMessageSet(bytes: Uint8Array, appendTime: number): LegacyRecord[] | LegacyRejection {
  const progress: Progress = { appendTime, out: [], inflated: 0 };
  try {
    readSet(bytes, progress, null);
  } catch (e) {
    if (e instanceof Rejected) return { errorCode: e.errorCode, reason: e.message };
    if (e instanceof ProtocolError) return { errorCode: ErrorCode.CORRUPT_MESSAGE, reason: e.message };
    throw e;
  }
  return progress.out.length > 0 ? progress.out : { errorCode: ErrorCode.CORRUPT_MESSAGE, reason: "empty message set" };
}

function readSet(bytes: Uint8Array, progress: Progress, wrapper: Wrapper): void {
  const r = new Reader(bytes);
  const before = progress.out.length;
  while (r.remaining > 0) {
    r.int64(); // the producer's offset (relative in magic 1 wrappers); the broker assigns its own
    const size = r.int32();
    if (size < 14 || size > r.remaining) throw corrupt(`message size ${size} does not fit in ${r.remaining} bytes`);
    const message = bytes.subarray(r.pos, r.pos + size);
    r.pos += size;
    readMessage(message, progress, wrapper);
  }
  if (wrapper && progress.out.length === before) throw corrupt("compressed wrapper holds no messages");
}

function readMessage(message: Uint8Array, progress: Progress, wrapper: Wrapper): void {
  const m = new Reader(message);
  const crc = m.uint32();
  const magic = m.int8();
  if (magic !== 0 && magic !== 1) throw corrupt(`magic ${magic} in a legacy message set`);
  if (crc32(message.subarray(4)) >>> 0 !== crc) throw corrupt("CRC-32 mismatch");
  const attributes = m.int8();
  const timestamp = magic === 1 ? m.int64() : progress.appendTime;
  const key = m.nullableBytes();
  const value = m.nullableBytes();
  if (m.remaining !== 0) throw corrupt(`${m.remaining} bytes after the value`);
  const codec = attributes & 0x07;
  if (codec === 0) {
    const ts = magic === 0 ? progress.appendTime : (wrapper?.logAppendTime ?? timestamp);
    progress.out.push({ key, value, timestamp: ts }); // views into the request: encode them before it is gone
    return;
  }
  if (wrapper) throw corrupt("compressed message inside a compressed wrapper");
  if (codec !== 1) {
    if (codec < CODECS.length) throw new Rejected(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `${CODECS[codec]} in a legacy message set`);
    throw corrupt(`unknown compression codec ${codec}`);
  }
  if (!value) throw corrupt("compressed wrapper without a value");
  let inner: Uint8Array;
  try {
    inner = gunzipSync(value, { maxOutputLength: Math.max(1, MAX_INFLATED_BYTES - progress.inflated) });
  } catch (e) {
    const tooLarge = (e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE";
    throw corrupt(tooLarge ? `gzip wrappers inflate past ${MAX_INFLATED_BYTES} bytes` : `gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
  progress.inflated += inner.byteLength;
  const logAppendTime = magic === 1 && attributes & LOG_APPEND_TIME ? timestamp : null;
  readSet(inner, progress, { logAppendTime });
}
