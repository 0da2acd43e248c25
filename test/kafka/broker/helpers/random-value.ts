import type { Field, Type } from "../../../../src/kafka/broker/protocol/schema.ts";

/** A seeded generator so a failing round trip can be reproduced. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const present = (f: Field<unknown>, v: number) => v >= f.min && v <= f.max;

/** A random value of `type` as it looks after a round trip at `version` (absent fields hold their fallback). */
export function randomValue(type: Type<unknown>, version: number, rand: () => number, depth = 0): unknown {
  const int = (bits: number) => Math.floor(rand() * 2 ** bits) - 2 ** (bits - 1);
  const maybeNull = () => type.nullable && rand() < 0.2;
  switch (type.kind) {
    case "int8":
      return int(8);
    case "int16":
      return int(16);
    case "int32":
      return int(32);
    case "int64":
      return int(53) * (rand() < 0.5 ? 1 : -1) || 0;
    case "bool":
      return rand() < 0.5;
    case "float64":
      return (rand() - 0.5) * 1e6;
    case "uuid":
      return Array.from({ length: 16 }, () => Math.floor(rand() * 256).toString(16).padStart(2, "0"))
        .join("")
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
    case "string":
      if (maybeNull()) return null;
      return Array.from({ length: Math.floor(rand() * 12) }, () => "aZ09._-é€"[Math.floor(rand() * 10)]).join("");
    case "bytes":
    case "records":
      if (maybeNull()) return null;
      return Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const f of type.fields!) out[f.name] = present(f, version) ? randomValue(f.type, version, rand, depth + 1) : (f.fallback ?? f.type.empty());
      return out;
    }
    default: {
      if (!type.items) throw new Error(`unknown kind ${type.kind}`);
      if (maybeNull()) return null;
      const n = depth > 3 ? 0 : Math.floor(rand() * 4);
      return Array.from({ length: n }, () => randomValue(type.items!, version, rand, depth + 1));
    }
  }
}

/** Byte arrays as plain arrays, so equality compares contents whatever the view. */
export function plain(x: unknown): unknown {
  if (x instanceof Uint8Array) return [...x];
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
}
