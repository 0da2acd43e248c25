import type { Reader } from "./reader.ts";
import type { Type } from "./schema.ts";
import type { Writer } from "./writer.ts";

/*
 * The primitive types of the layout language. Strings, bytes and records switch to their compact
 * encodings (unsigned varint length + 1) when the message they are part of is flexible.
 */

/** Record batches as received (one view) or as stored (several, linked into the output uncopied). */
export type Records = Uint8Array | readonly Uint8Array[] | null;

const prim = <T>(
  kind: string,
  minSize: number,
  nullable: boolean,
  read: (r: Reader, flexible: boolean) => T,
  write: (w: Writer, x: T, flexible: boolean) => void,
  empty: () => T,
): Type<T> => ({
  kind,
  nullable,
  minSize,
  read: (r, _v, flexible = false) => read(r, flexible),
  write: (w, x, _v, flexible = false) => write(w, x, flexible),
  empty,
});

const noBytes = new Uint8Array(0);
export const int8 = prim("int8", 1, false, (r) => r.int8(), (w, x: number) => w.int8(x), () => 0);
export const int16 = prim("int16", 2, false, (r) => r.int16(), (w, x: number) => w.int16(x), () => 0);
export const int32 = prim("int32", 4, false, (r) => r.int32(), (w, x: number) => w.int32(x), () => 0);
export const int64 = prim("int64", 8, false, (r) => r.int64(), (w, x: number) => w.int64(x), () => 0);
export const float64 = prim("float64", 8, false, (r) => r.float64(), (w, x: number) => w.float64(x), () => 0);
export const bool = prim("bool", 1, false, (r) => r.bool(), (w, x: boolean) => w.bool(x), () => false);
export const string = prim(
  "string", 1, false,
  (r, f) => (f ? r.compactString() : r.string()),
  (w, x: string, f) => (f ? w.compactNullableString(x) : w.nullableString(x)),
  () => "",
);
export const nullableString = prim<string | null>(
  "string", 1, true,
  (r, f) => (f ? r.compactNullableString() : r.nullableString()),
  (w, x, f) => (f ? w.compactNullableString(x) : w.nullableString(x)),
  () => null,
);
const readBytes = (r: Reader, f: boolean) => (f ? r.compactNullableBytes() : r.nullableBytes());
const writeBytes = (w: Writer, x: Records, f: boolean) => (f ? w.compactNullableBytes(x) : w.nullableBytes(x));
export const bytes = prim<Uint8Array>("bytes", 1, false, (r, f) => readBytes(r, f) ?? noBytes, writeBytes, () => noBytes);
export const nullableBytes = prim<Uint8Array | null>("bytes", 1, true, readBytes, writeBytes, () => null);
export const records = prim<Records>("records", 1, true, readBytes, writeBytes, () => null);

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** The all-zero UUID, Kafka's "no id". */
export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
/** A UUID as its canonical text (8-4-4-4-12 hex digits). */
export const uuid = prim<string>(
  "uuid", 16, false,
  (r) => {
    const b = r.bytes16();
    let s = "";
    for (let i = 0; i < 16; i++) s += (i === 4 || i === 6 || i === 8 || i === 10 ? "-" : "") + hex[b[i]!];
    return s;
  },
  (w, x) => {
    const digits = x.replaceAll("-", "");
    if (!/^[0-9a-fA-F]{32}$/.test(digits)) throw new Error(`not a UUID: ${x}`);
    for (let i = 0; i < 16; i++) w.int8(Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16) << 24 >> 24);
  },
  () => ZERO_UUID,
);
