import { ProtocolError, Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

/**
 * A small description language for Kafka message layouts, so each API file states its fields and version
 * ranges once and gets both directions of the codec from it. The descriptions are introspectable, which
 * lets a test compare them against Apache Kafka's JSON definitions.
 *
 * Flexible versions (KIP-482) are a property of a whole message (`message(flexibleVersions, shape)`): from
 * that version on, strings, bytes and arrays are compact (unsigned varint length + 1) and every struct ends
 * with a tagged-field section. Types receive the flag from the message they are part of.
 */
export interface Type<T> {
  /** Name in the JSON definitions' vocabulary: int32, string, bytes, records, uuid, []..., or a struct. */
  readonly kind: string;
  readonly nullable: boolean;
  /** Minimum encoded size, used to reject array counts that cannot fit in a frame. */
  readonly minSize: number;
  readonly fields?: readonly Field<unknown>[];
  readonly items?: Type<unknown>;
  /** On messages: the first flexible version (Infinity when none is). */
  readonly flexibleFrom?: number;
  read(r: Reader, version: number, flexible?: boolean): T;
  write(w: Writer, value: T, version: number, flexible?: boolean): void;
  empty(): T;
}

export interface Field<T> {
  readonly name: string;
  readonly type: Type<T>;
  readonly min: number;
  readonly max: number;
  readonly fallback: T | undefined;
  /** Tag number of a tagged field (sent in the struct's tagged-field section, only when not the default). */
  readonly tag?: number;
  /** First version in which this field follows the message's flexible encoding (Infinity: never). */
  readonly flexibleFrom: number;
}

export { bool, bytes, float64, int16, int32, int64, int8, nullableBytes, nullableString, records, string, uuid, ZERO_UUID, type Records } from "./primitives.ts";

function versionRange(versions: string): { min: number; max: number } {
  if (versions === "none") return { min: Number.POSITIVE_INFINITY, max: -1 };
  const [lo, hi] = versions.split("-");
  const min = Number.parseInt(lo!, 10);
  const max = versions.endsWith("+") ? Number.POSITIVE_INFINITY : Number.parseInt(hi ?? lo!, 10);
  return { min, max };
}

export interface FieldOptions {
  /** `"none"` keeps the field in its classic encoding in flexible versions (the request header's client id). */
  readonly flexibleVersions?: string;
}

/** A field present in versions [min, max]; `fallback` is its value in versions where it is absent. */
export function field<T>(type: Type<T>, versions = "0+", fallback?: T, options: FieldOptions = {}): Field<T> & { readonly name: "" } {
  const flexibleFrom = options.flexibleVersions === undefined ? 0 : versionRange(options.flexibleVersions).min;
  return { name: "", type, ...versionRange(versions), fallback, flexibleFrom };
}

/** A tagged field (flexible versions only): written only when it differs from `fallback` (or the type's empty value). */
export function tagged<T>(tag: number, type: Type<T>, versions: string, fallback?: T): Field<T> & { readonly name: ""; readonly tag: number } {
  return { ...field(type, versions, fallback), tag };
}

type Shape = Record<string, Field<unknown>>;
type Tagged = { readonly tag: number };
/** A struct's value; tagged fields are optional (reading fills them with their default when absent). */
type Value<S extends Shape> = { -readonly [K in keyof S as S[K] extends Tagged ? never : K]: S[K] extends Field<infer T> ? T : never } & {
  -readonly [K in keyof S as S[K] extends Tagged ? K : never]?: S[K] extends Field<infer T> ? T : never;
};

const absent = (f: Field<unknown>): unknown => (f.fallback !== undefined ? f.fallback : f.type.empty());

/** Whether `x` equals the default `d` of `type`, so a tagged field holding it need not be sent. */
function isDefault(type: Type<unknown>, x: unknown, d: unknown): boolean {
  if (x === d) return true;
  if (x === null || d === null || x === undefined) return x === undefined;
  if (type.items) return (x as unknown[]).length === 0 && (d as unknown[]).length === 0;
  if (x instanceof Uint8Array) return d instanceof Uint8Array && x.byteLength === 0 && d.byteLength === 0;
  if (type.fields) {
    const xs = x as Record<string, unknown>;
    const ds = d as Record<string, unknown>;
    return type.fields.every((f) => isDefault(f.type, xs[f.name], ds[f.name]));
  }
  return false;
}

export function struct<S extends Shape>(shape: S): Type<Value<S>> {
  const fields = Object.entries(shape).map(([name, f]) => ({ ...f, name }));
  const plain = fields.filter((f) => f.tag === undefined);
  const tags = fields.filter((f) => f.tag !== undefined).sort((a, b) => a.tag! - b.tag!);
  const byTag = new Map(tags.map((f) => [f.tag!, f]));
  if (byTag.size !== tags.length) throw new Error(`a tag is declared twice in ${fields.map((f) => f.name).join(",")}`);
  const defaults = new Map(tags.map((f) => [f.name, absent(f)]));

  function readTagged(r: Reader, v: number, out: Record<string, unknown>): void {
    const count = r.unsignedVarint();
    for (let i = 0; i < count; i++) {
      const tag = r.unsignedVarint();
      const size = r.unsignedVarint();
      if (size > r.remaining) throw new ProtocolError(`tagged field ${tag} of ${size} bytes exceeds frame`);
      const f = byTag.get(tag);
      if (!f || v < f.min || v > f.max) {
        r.pos += size;
        continue;
      }
      const sub = new Reader(r.bytes.subarray(r.pos, r.pos + size));
      out[f.name] = f.type.read(sub, v, true);
      if (sub.remaining !== 0) throw new ProtocolError(`tagged field ${tag} has ${sub.remaining} bytes left over`);
      r.pos += size;
    }
  }

  function writeTagged(w: Writer, v: number, value: Record<string, unknown>): void {
    const present = tags.filter((f) => v >= f.min && v <= f.max && !isDefault(f.type, value[f.name], defaults.get(f.name)));
    w.unsignedVarint(present.length);
    for (const f of present) {
      const inner = new Writer(64);
      f.type.write(inner, value[f.name], v, true);
      w.unsignedVarint(f.tag!);
      w.unsignedVarint(inner.length);
      for (const chunk of inner.chunksOut()) w.raw(chunk);
    }
  }

  return {
    kind: "struct",
    nullable: false,
    minSize: 0,
    fields,
    read(r, v, flexible = false) {
      const out: Record<string, unknown> = {};
      for (const f of plain) out[f.name] = v >= f.min && v <= f.max ? f.type.read(r, v, flexible && v >= f.flexibleFrom) : absent(f);
      for (const f of tags) out[f.name] = absent(f);
      if (flexible) readTagged(r, v, out);
      return out as Value<S>;
    },
    write(w, x, v, flexible = false) {
      const value = x as Record<string, unknown>;
      for (const f of plain) if (v >= f.min && v <= f.max) {
          const item = value[f.name];
          f.type.write(w, item === undefined ? absent(f) : item, v, flexible && v >= f.flexibleFrom);
        }
      if (flexible) {
        if (tags.length === 0) w.unsignedVarint(0);
        else writeTagged(w, v, value);
      }
    },
    empty: () => {
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = absent(f);
      return out as Value<S>;
    },
  };
}

/** A top-level request or response body: a struct whose encoding turns flexible from `flexibleVersions` on. */
export function message<S extends Shape>(flexibleVersions: string, shape: S): Type<Value<S>> {
  const body = struct(shape);
  const flexibleFrom = versionRange(flexibleVersions).min;
  return {
    ...body,
    flexibleFrom,
    read: (r, v) => body.read(r, v, v >= flexibleFrom),
    write: (w, x, v) => body.write(w, x, v, v >= flexibleFrom),
  };
}

function arrayOf<T>(items: Type<T>, nullable: boolean): Type<T[] | null> {
  return {
    kind: `[]${items.kind}`,
    nullable,
    minSize: 1,
    items: items as Type<unknown>,
    read(r, v, flexible = false) {
      const n = flexible ? r.compactArrayLength(Math.max(1, items.minSize)) : r.arrayLength(Math.max(1, items.minSize));
      if (n < 0) {
        if (!nullable) throw new ProtocolError(`null array where none is allowed`);
        return null;
      }
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = items.read(r, v, flexible);
      return out;
    },
    write(w, x, v, flexible = false) {
      if (x === null) return flexible ? w.unsignedVarint(0) : w.int32(-1);
      if (flexible) w.unsignedVarint(x.length + 1);
      else w.int32(x.length);
      for (const item of x) items.write(w, item, v, flexible);
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

/** Whether requests and responses of `api` at `version` use the flexible encoding and headers. */
export const isFlexible = (api: ApiSchema<unknown, unknown>, version: number): boolean =>
  version >= (api.request.flexibleFrom ?? Number.POSITIVE_INFINITY);
