import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Type } from "../../../src/kafka/broker/protocol/schema.ts";
import { apis } from "../../../src/kafka/broker/registry.ts";

/** Apache Kafka's message definitions, beside the repository or where KAFKA_PROTOCOL_DIR points. */
const dir = process.env.KAFKA_PROTOCOL_DIR ?? resolve(import.meta.dir, "../../../../shared/kafka-protocol");

interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  fields?: JsonField[];
}
interface JsonMessage {
  apiKey: number;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: JsonField[];
  commonStructs?: { name: string; fields: JsonField[] }[];
}

const load = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8").replace(/^\s*\/\/.*$/gm, "")) as JsonMessage;

function inRange(range: string | undefined, v: number): boolean {
  if (!range || range === "none") return false;
  if (range.endsWith("+")) return v >= Number.parseInt(range, 10);
  const [lo, hi] = range.split("-").map(Number);
  return v >= lo! && v <= (hi ?? lo!);
}

const primitive = new Set(["int8", "int16", "int32", "int64", "bool", "string", "bytes", "records", "uuid", "float64"]);
const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Field-by-field comparison at one version: same names, order, types and nullability. */
function compare(path: string, ours: Type<unknown>, json: JsonField[], v: number, common: Map<string, JsonField[]>): string[] {
  const problems: string[] = [];
  const theirs = json.filter((f) => inRange(f.versions, v) && !f.taggedVersions);
  const mine = ours.fields!.filter((f) => v >= f.min && v <= f.max);
  const names = (xs: { name: string }[]) => xs.map((x) => lower(x.name)).join(",");
  if (names(mine) !== names(theirs)) return [`${path} v${v}: fields [${names(mine)}] but definition has [${names(theirs)}]`];
  theirs.forEach((jf, i) => {
    const f = mine[i]!;
    const at = `${path}.${f.name} v${v}`;
    if (inRange(jf.nullableVersions, v) && !f.type.nullable) problems.push(`${at}: must be nullable`);
    const isArray = jf.type.startsWith("[]");
    const element = isArray ? jf.type.slice(2) : jf.type;
    if (primitive.has(element)) {
      if (f.type.kind !== jf.type) problems.push(`${at}: type ${f.type.kind}, definition ${jf.type}`);
    } else {
      const inner = isArray ? f.type.items : f.type;
      if (!inner?.fields || (isArray && !f.type.kind.startsWith("[]"))) problems.push(`${at}: expected ${jf.type}`);
      else problems.push(...compare(at, inner, jf.fields ?? common.get(element) ?? [], v, common));
    }
  });
  return problems;
}

const present = existsSync(dir);

describe("codecs agree with Apache Kafka's message definitions", () => {
  test("the definitions directory is found (or was not asked for explicitly)", () => {
    expect(present || process.env.KAFKA_PROTOCOL_DIR === undefined).toBe(true);
  });

  for (const api of present ? apis : []) {
    test(`${api.name}: key, version range and every field of versions ${api.minVersion}–${api.maxVersion}`, () => {
      for (const kind of ["Request", "Response"] as const) {
        const def = load(`${api.name}${kind}.json`);
        const common = new Map((def.commonStructs ?? []).map((s) => [s.name, s.fields]));
        if (kind === "Request") expect(def.apiKey).toBe(api.key);
        expect(inRange(def.validVersions, api.minVersion) && inRange(def.validVersions, api.maxVersion)).toBe(true);
        // Flexible versions need compact encodings and tagged fields, which these codecs do not write.
        expect(inRange(def.flexibleVersions, api.maxVersion)).toBe(false);
        const schema = kind === "Request" ? api.request : api.response;
        for (let v = api.minVersion; v <= api.maxVersion; v++) expect(compare(`${api.name}${kind}`, schema, def.fields, v, common)).toEqual([]);
      }
    });
  }
});
