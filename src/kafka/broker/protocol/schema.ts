import { ProtocolError, type Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/**
 * A small description language for Kafka message layouts, so each API file states its fields and version
 * ranges once and gets both directions of the codec from it. The descriptions are introspectable, which
 * lets a test compare them against Apache Kafka's JSON definitions.
 */
export interface Type<T> {
  /** Name in the JSON definitions' vocabulary: int32, string, bytes, records, []..., or a struct. */
  readonly kind: string;
  readonly nullable: boolean;
  /** Minimum encoded size, used to reject array counts that cannot fit in a frame. */
  readonly minSize: number;
  readonly fields?: readonly Field<unknown>[];
  readonly items?: Type<unknown>;
  read(r: Reader, version: number): T;
  write(w: Writer, value: T, version: number): void;
  empty(): T;
}

export interface Field<T> {
  readonly name: string;
  readonly type: Type<T>;
  readonly min: number;
  readonly max: number;
  readonly fallback: T | undefined;
}

export type Records = Uint8Array | readonly Uint8Array[] | null;

const prim = <T>(kind: string, minSize: number, nullable: boolean, read: (r: Reader) => T, write: (w: Writer, x: T) => void, empty: () => T): Type<T> => ({
  kind,
  nullable,
  minSize,
  read: (r) => read(r),
  write: (w, x) => write(w, x),
  empty,
});

const noBytes = new Uint8Array(0);
export const int8 = prim("int8", 1, false, (r) => r.int8(), (w, x: number) => w.int8(x), () => 0);
export const int16 = prim("int16", 2, false, (r) => r.int16(), (w, x: number) => w.int16(x), () => 0);
export const int32 = prim("int32", 4, false, (r) => r.int32(), (w, x: number) => w.int32(x), () => 0);
export const int64 = prim("int64", 8, false, (r) => r.int64(), (w, x: number) => w.int64(x), () => 0);
export const bool = prim("bool", 1, false, (r) => r.bool(), (w, x: boolean) => w.bool(x), () => false);
export const string = prim("string", 2, false, (r) => r.string(), (w, x: string) => w.nullableString(x), () => "");
export const nullableString = prim<string | null>("string", 2, true, (r) => r.nullableString(), (w, x) => w.nullableString(x), () => null);
export const bytes = prim<Uint8Array>("bytes", 4, false, (r) => r.nullableBytes() ?? noBytes, (w, x) => w.nullableBytes(x), () => noBytes);
export const nullableBytes = prim<Uint8Array | null>("bytes", 4, true, (r) => r.nullableBytes(), (w, x) => w.nullableBytes(x), () => null);
export const records = prim<Records>("records", 4, true, (r) => r.nullableBytes(), (w, x) => w.nullableBytes(x), () => null);

/** A field present in versions [min, max]; `fallback` is its value in versions where it is absent. */
export function field<T>(type: Type<T>, versions = "0+", fallback?: T): Field<T> & { readonly name: "" } {
  const [lo, hi] = versions.split("-");
  const min = Number.parseInt(lo!, 10);
  const max = versions.endsWith("+") ? Number.POSITIVE_INFINITY : Number.parseInt(hi ?? lo!, 10);
  return { name: "", type, min, max, fallback };
}

type Shape = Record<string, Field<unknown>>;
type Value<S extends Shape> = { -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export function struct<S extends Shape>(shape: S): Type<Value<S>> {
  const fields = Object.entries(shape).map(([name, f]) => ({ ...f, name }));
  const absent = (f: Field<unknown>): unknown => (f.fallback !== undefined ? f.fallback : f.type.empty());
  return {
    kind: "struct",
    nullable: false,
    minSize: 0,
    fields,
    read(r, v) {
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = v >= f.min && v <= f.max ? f.type.read(r, v) : absent(f);
      return out as Value<S>;
    },
    write(w, x, v) {
      const value = x as Record<string, unknown>;
      for (const f of fields) if (v >= f.min && v <= f.max) {
          const item = value[f.name];
          f.type.write(w, item === undefined ? absent(f) : item, v);
        }
    },
    empty: () => {
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = absent(f);
      return out as Value<S>;
    },
  };
}

function arrayOf<T>(items: Type<T>, nullable: boolean): Type<T[] | null> {
  return {
    kind: `[]${items.kind}`,
    nullable,
    minSize: 4,
    items: items as Type<unknown>,
    read(r, v) {
      const n = r.arrayLength(Math.max(1, items.minSize));
      if (n < 0) {
        if (!nullable) throw new ProtocolError(`null array where none is allowed`);
        return null;
      }
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = items.read(r, v);
      return out;
    },
    write(w, x, v) {
      if (x === null) return w.int32(-1);
      w.int32(x.length);
      for (const item of x) items.write(w, item, v);
    },
    empty: () => (nullable ? null : []),
  };
}

export const array = <T>(items: Type<T>): Type<T[]> => arrayOf(items, false) as Type<T[]>;
export const nullableArray = <T>(items: Type<T>): Type<T[] | null> => arrayOf(items, true);

/** One API's request and response layouts plus the version range the broker implements. */
export interface ApiSchema<Req, Res> {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly request: Type<Req>;
  readonly response: Type<Res>;
}
