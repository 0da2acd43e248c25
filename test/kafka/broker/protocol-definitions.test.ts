import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Field, Type } from "../../../src/kafka/broker/protocol/schema.ts";
import { requestHeader, responseHeader } from "../../../src/kafka/broker/protocol/header.ts";
import { apis } from "../../../src/kafka/broker/registry.ts";

/** Apache Kafka's message definitions, beside the repository or where KAFKA_PROTOCOL_DIR points. */
const dir = process.env.KAFKA_PROTOCOL_DIR ?? resolve(import.meta.dir, "../../../../shared/kafka-protocol");

interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string;
  flexibleVersions?: string;
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

const firstVersion = (range: string) => (range === "none" ? Number.POSITIVE_INFINITY : Number.parseInt(range, 10));
const primitive = new Set(["int8", "int16", "int32", "int64", "bool", "string", "bytes", "records", "uuid", "float64"]);
const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** One field against its definition at version v: type, nullability, flexible override, default of a tagged field. */
function compareField(at: string, f: Field<unknown>, jf: JsonField, v: number, common: Map<string, JsonField[]>): string[] {
  const problems: string[] = [];
  if (inRange(jf.nullableVersions, v) && !f.type.nullable) problems.push(`${at}: must be nullable`);
  if ((jf.flexibleVersions === undefined ? 0 : firstVersion(jf.flexibleVersions)) !== f.flexibleFrom) problems.push(`${at}: flexible from ${f.flexibleFrom}, definition ${jf.flexibleVersions}`);
  if (jf.default !== undefined && f.tag !== undefined) {
    const ours = f.fallback !== undefined ? f.fallback : f.type.empty();
    if (String(ours) !== jf.default) problems.push(`${at}: default ${String(ours)}, definition ${jf.default}`);
  }
  const isArray = jf.type.startsWith("[]");
  const element = isArray ? jf.type.slice(2) : jf.type;
  if (primitive.has(element)) {
    if (f.type.kind !== jf.type) problems.push(`${at}: type ${f.type.kind}, definition ${jf.type}`);
  } else {
    const inner = isArray ? f.type.items : f.type;
    if (!inner?.fields || (isArray && !f.type.kind.startsWith("[]"))) problems.push(`${at}: expected ${jf.type}`);
    else problems.push(...compare(at, inner, jf.fields ?? common.get(element) ?? [], v, common));
  }
  return problems;
}

/** Field-by-field comparison at one version: same names, order, types and nullability, and the same tagged fields. */
function compare(path: string, ours: Type<unknown>, json: JsonField[], v: number, common: Map<string, JsonField[]>): string[] {
  const problems: string[] = [];
  const theirs = json.filter((f) => inRange(f.versions, v) && !inRange(f.taggedVersions, v));
  const mine = ours.fields!.filter((f) => v >= f.min && v <= f.max && f.tag === undefined);
  const names = (xs: { name: string }[]) => xs.map((x) => lower(x.name)).join(",");
  if (names(mine) !== names(theirs)) return [`${path} v${v}: fields [${names(mine)}] but definition has [${names(theirs)}]`];
  theirs.forEach((jf, i) => problems.push(...compareField(`${path}.${mine[i]!.name} v${v}`, mine[i]!, jf, v, common)));

  const tags = (xs: { name: string; tag?: number }[]) => xs.map((x) => `${x.tag}:${lower(x.name)}`).sort().join(",");
  const theirTags = json.filter((f) => inRange(f.versions, v) && inRange(f.taggedVersions, v));
  const myTags = ours.fields!.filter((f) => v >= f.min && v <= f.max && f.tag !== undefined);
  if (tags(myTags) !== tags(theirTags)) return [...problems, `${path} v${v}: tagged fields [${tags(myTags)}] but definition has [${tags(theirTags)}]`];
  for (const jf of theirTags) {
    const f = myTags.find((m) => m.tag === jf.tag)!;
    problems.push(...compareField(`${path}.${f.name} (tag ${jf.tag}) v${v}`, f, jf, v, common));
  }
  return problems;
}

const present = existsSync(dir);

describe("codecs agree with Apache Kafka's message definitions", () => {
  test("the definitions directory is found (or was not asked for explicitly)", () => {
    expect(present || process.env.KAFKA_PROTOCOL_DIR === undefined).toBe(true);
  });

  for (const [name, layout, versions] of [["RequestHeader", requestHeader, [0, 2]], ["ResponseHeader", responseHeader, [0, 1]]] as const) {
    test.if(present)(`${name}: every field of versions ${versions[0]}–${versions[1]}, the client id classic in v2`, () => {
      const def = load(`${name}.json`);
      expect(`${name} flexible from ${layout.flexibleFrom}`).toBe(`${name} flexible from ${firstVersion(def.flexibleVersions)}`);
      for (let v = versions[0]; v <= versions[1]; v++) expect(compare(name, layout, def.fields, v, new Map())).toEqual([]);
    });
  }

  for (const api of present ? apis : []) {
    test(`${api.name}: key, version range and every field of versions ${api.minVersion}–${api.maxVersion}`, () => {
      for (const kind of ["Request", "Response"] as const) {
        const def = load(`${api.name}${kind}.json`);
        const common = new Map((def.commonStructs ?? []).map((s) => [s.name, s.fields]));
        if (kind === "Request") expect(def.apiKey).toBe(api.key);
        expect(inRange(def.validVersions, api.minVersion) && inRange(def.validVersions, api.maxVersion)).toBe(true);
        const schema = kind === "Request" ? api.request : api.response;
        expect(`${kind} flexible from ${schema.flexibleFrom}`).toBe(`${kind} flexible from ${firstVersion(def.flexibleVersions)}`);
        for (let v = api.minVersion; v <= api.maxVersion; v++) expect(compare(`${api.name}${kind}`, schema, def.fields, v, common)).toEqual([]);
      }
    });
  }
});
