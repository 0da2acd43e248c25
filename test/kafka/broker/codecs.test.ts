import { describe, expect, test } from "bun:test";
import { ProtocolError, Reader } from "../../../src/kafka/broker/protocol/reader.ts";
import type { Type } from "../../../src/kafka/broker/protocol/schema.ts";
import { Writer } from "../../../src/kafka/broker/protocol/writer.ts";
import { apiRanges, apis } from "../../../src/kafka/broker/registry.ts";
import { plain, randomValue, rng } from "./helpers/random-value.ts";

function roundTrip(type: Type<unknown>, value: unknown, version: number): unknown {
  const w = new Writer(16);
  type.write(w, value, version);
  const r = new Reader(w.toBytes());
  const back = type.read(r, version);
  expect(r.remaining).toBe(0);
  return back;
}

describe("codecs round-trip every implemented version", () => {
  for (const api of apis) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      test(`${api.name} v${v} request and response`, () => {
        const rand = rng(api.key * 100 + v + 1);
        for (let i = 0; i < 25; i++) {
          for (const type of [api.request, api.response] as Type<unknown>[]) {
            const value = randomValue(type, v, rand);
            expect(plain(roundTrip(type, value, v))).toEqual(plain(value));
          }
        }
      });
    }
  }
});

describe("ApiVersions is derived from the registry", () => {
  test("advertises exactly the ranges of the design note", () => {
    const ranges = Object.fromEntries(apiRanges.map((r) => [r.apiKey, [r.minVersion, r.maxVersion]]));
    expect(ranges).toEqual({
      0: [3, 7], 1: [4, 11], 2: [1, 3], 3: [0, 6], 8: [2, 7], 9: [1, 5], 10: [0, 2], 11: [0, 5], 12: [0, 3],
      13: [0, 3], 14: [0, 3], 15: [0, 2], 16: [0, 2], 18: [0, 2], 19: [0, 4], 20: [0, 3], 22: [0, 1], 42: [0, 1],
    });
  });
});

describe("malformed input", () => {
  test("a truncated request throws ProtocolError instead of reading past the end", () => {
    const produce = apis.find((a) => a.name === "Produce")!;
    const w = new Writer();
    produce.request.write(w, randomValue(produce.request, 7, rng(3)), 7);
    const bytes = w.toBytes();
    for (let cut = 0; cut < bytes.byteLength; cut++) {
      expect(() => produce.request.read(new Reader(bytes.subarray(0, cut)), 7)).toThrow(ProtocolError);
    }
  });

  test("an array count larger than the frame is rejected before allocating", () => {
    const w = new Writer();
    w.int32(0x7fffffff);
    const metadata = apis.find((a) => a.name === "Metadata")!;
    expect(() => metadata.request.read(new Reader(w.toBytes()), 1)).toThrow(ProtocolError);
  });

  test("large byte fields are linked into the output, not copied", () => {
    const big = new Uint8Array(100_000).fill(7);
    const w = new Writer();
    w.int32(1);
    w.nullableBytes(big);
    w.int16(2);
    const chunks = w.chunksOut();
    expect(chunks.some((c) => c === big)).toBe(true);
    expect(w.toBytes().byteLength).toBe(4 + 4 + 100_000 + 2);
  });
});
